import { useMemo } from 'react';
import { useQuery } from 'urql';
import { graphql } from '@/gql';
import { errorsFromCombined } from '@/lib/api-error';
import { awaitingDecision } from '../leave';

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
 * Pending requests the viewer may decide: the API lists HR every request and a manager their
 * reports' (and their own, which is left out: nobody decides their own leave). A decided request
 * leaves the inbox as soon as its new status is in the cache.
 */
export function useApprovals(viewerEmployeeId: string | null) {
  const [result, reexecute] = useQuery({
    query: LeaveApprovalsQuery,
    variables: { first: APPROVALS_LIMIT },
  });
  const nodes = result.data?.leaveRequests.nodes;
  const requests = useMemo(
    () => awaitingDecision(nodes ?? [], viewerEmployeeId),
    [nodes, viewerEmployeeId],
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
