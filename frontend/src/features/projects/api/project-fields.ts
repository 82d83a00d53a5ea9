import { graphql } from '@/gql';

/** A task as the project view lists it: assignee from HR, versions, the server's at-risk flag. */
export const ProjectTaskFieldsFragment = graphql(`
  fragment ProjectTaskFields on Task {
    id
    name
    type
    status
    dueDate
    estimateHours
    atRisk
    sharedWith
    assignee {
      id
      displayName
    }
    versions {
      id
      number
      status
    }
  }
`);

/** A shot with its tasks (production), render jobs and render cost (render). */
export const ProjectShotFieldsFragment = graphql(`
  fragment ProjectShotFields on Shot {
    id
    code
    description
    frameStart
    frameEnd
    status
    renderCost {
      amount
      currency
    }
    renderJobs {
      id
      name
      status
      progress {
        done
        total
      }
      cost {
        amount
        currency
      }
    }
    tasks {
      ...ProjectTaskFields
    }
  }
`);

/** An asset with its tasks. */
export const ProjectAssetFieldsFragment = graphql(`
  fragment ProjectAssetFields on Asset {
    id
    code
    name
    type
    tasks {
      ...ProjectTaskFields
    }
  }
`);

/** One page of a project's shots. */
export const ShotPageFieldsFragment = graphql(`
  fragment ShotPageFields on ShotConnection {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      ...ProjectShotFields
    }
  }
`);

/** One page of a project's assets. */
export const AssetPageFieldsFragment = graphql(`
  fragment AssetPageFields on AssetConnection {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      ...ProjectAssetFields
    }
  }
`);
