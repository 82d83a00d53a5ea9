import { graphql } from '@/gql';

/**
 * A leave request as the lists show it, with what the viewer may do with it now: the API's own
 * rules (`viewerCanDecide`: `decideLeave` would accept; `viewerCanCancel`: `cancelLeave` would),
 * never guessed from the status or the viewer's roles. Every leave mutation returns this
 * fragment, so a decision or a cancellation updates the flags in the cache at once.
 */
export const LeaveRequestFieldsFragment = graphql(`
  fragment LeaveRequestFields on LeaveRequest {
    id
    type
    startDate
    endDate
    days
    status
    reason
    decidedAt
    decisionComment
    createdAt
    viewerCanDecide
    viewerCanCancel
    employee {
      id
      displayName
    }
  }
`);
