import { graphql } from '@/gql';

/** A job as the queue shows it: render's fields, production's shot and task, HR's submitter. */
export const RenderJobFieldsFragment = graphql(`
  fragment RenderJobFields on RenderJob {
    id
    name
    status
    priority
    pool
    frameStart
    frameEnd
    chunkSize
    coreSeconds
    progress {
      done
      total
    }
    cost {
      amount
      currency
    }
    createdAt
    startedAt
    finishedAt
    submittedBy {
      id
      displayName
    }
    shot {
      id
      code
      renderCost {
        amount
        currency
      }
    }
    task {
      id
      name
    }
  }
`);
