import { graphql } from '@/gql';

/**
 * A task shared with the viewer's (vendor) tenant, as the Shared work page shows it. No people
 * fields: the API blanks them for a vendor (assignee, createdBy, author are null).
 */
export const SharedTaskFieldsFragment = graphql(`
  fragment SharedTaskFields on Task {
    id
    name
    type
    status
    dueDate
    project {
      id
      code
      name
    }
    shot {
      id
      code
    }
    asset {
      id
      code
      name
    }
    versions {
      id
      number
      status
      path
      comment
      createdAt
      frameStart
      frameEnd
    }
    notes {
      id
      kind
      body
      createdAt
      version {
        id
        number
      }
    }
  }
`);
