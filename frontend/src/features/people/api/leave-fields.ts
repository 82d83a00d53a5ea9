import { graphql } from '@/gql';

/** A leave request as the lists show it. */
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
    employee {
      id
      displayName
    }
  }
`);
