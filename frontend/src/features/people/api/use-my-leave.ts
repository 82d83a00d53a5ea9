import { useQuery } from 'urql';
import { graphql } from '@/gql';
import { errorsFromCombined } from '@/lib/api-error';

/** How many of the viewer's requests the page lists (newest start first). */
export const MY_LEAVE_LIMIT = 100;

const MyLeaveQuery = graphql(`
  query MyLeave($employeeId: ID!, $first: Int!) {
    me {
      employee {
        id
        leaveBalances {
          year
          type
          allocated
          used
          remaining
        }
      }
    }
    leaveRequests(filter: { employeeId: $employeeId }, first: $first) {
      totalCount
      nodes {
        ...LeaveRequestFields
      }
    }
  }
`);

/** The viewer's balances for this year and their requests. */
export function useMyLeave(employeeId: string) {
  const [result, reexecute] = useQuery({
    query: MyLeaveQuery,
    variables: { employeeId, first: MY_LEAVE_LIMIT },
  });
  return {
    balances: result.data?.me.employee?.leaveBalances ?? [],
    requests: result.data?.leaveRequests.nodes ?? [],
    totalCount: result.data?.leaveRequests.totalCount ?? 0,
    loading: result.fetching && !result.data,
    errors: result.error ? errorsFromCombined(result.error) : [],
    /** Asks again (after a request or a cancellation changed the balances). */
    refresh: () => {
      reexecute({ requestPolicy: 'network-only' });
    },
  };
}
