import { graphql } from '@/gql';

/** What a board card shows: the moves come from the server (`availableTransitions`). */
export const TaskCardFieldsFragment = graphql(`
  fragment TaskCardFields on Task {
    id
    name
    type
    status
    dueDate
    estimateHours
    atRisk
    availableTransitions {
      to
      label
    }
    project {
      id
      code
    }
    shot {
      id
      code
    }
    asset {
      id
      code
    }
  }
`);
