import { useMemo } from 'react';
import { useQuery } from 'urql';
import { graphql } from '@/gql';
import { errorsFromCombined } from '@/lib/api-error';

/** How many pending requests the inbox shows at once. */
export const APPROVALS_LIMIT = 100;

const LeaveApprovalsQuery = graphql(`
  query LeaveApprovals($first: Int!) {
    leaveRequests(filter: { status: [PENDING] }, first: $first) {
      totalCount
      nodes {
        ...LeaveRequestFields
        employee {
          id
          displayName
          title
          department {
            id
            name
          }
        }
      }
    }
  }
`);

/**
 * Pending requests the viewer may decide now, as the API says (`viewerCanDecide`: not their own,
 * they are the employee's manager or HR): the API lists HR every request and a manager their
 * reports' and their own, which it does not let them decide. A decided request leaves the inbox
 * as soon as the mutation's answer (its new status and flags) is in the cache.
 */
export function useApprovals() {
  const [result, reexecute] = useQuery({
    query: LeaveApprovalsQuery,
    variables: { first: APPROVALS_LIMIT },
  });
  const nodes = result.data?.leaveRequests.nodes;
  const requests = useMemo(
    () => (nodes ?? []).filter((request) => request.viewerCanDecide),
    [nodes],
  );
  return {
    requests,
    loading: result.fetching && !result.data,
    errors: result.error ? errorsFromCombined(result.error) : [],
    refresh: () => {
      reexecute({ requestPolicy: 'network-only' });
    },
  };
}
