import { graphql } from '@/gql';

/** A task up for review with every version, newest last. */
export const ReviewTaskFieldsFragment = graphql(`
  fragment ReviewTaskFields on Task {
    id
    name
    status
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
    assignee {
      id
      displayName
    }
    versions {
      id
      number
      path
      comment
      status
      createdAt
      frameStart
      frameEnd
      createdBy {
        id
        displayName
      }
    }
  }
`);
