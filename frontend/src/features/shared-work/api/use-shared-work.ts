import { useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '@/gql';
import { errorsFromCombined } from '@/lib/api-error';

/** How many tasks a page adds; the API takes at most 500 at once. */
export const SHARED_PAGE_SIZE = 100;
export const SHARED_MAX = 500;

const SharedWorkQuery = graphql(`
  query SharedWork($first: Int!) {
    tasks(first: $first) {
      totalCount
      pageInfo {
        hasNextPage
      }
      nodes {
        ...SharedTaskFields
      }
    }
  }
`);

/**
 * The tasks shared with the viewer's vendor tenant: for a vendor, `tasks` returns exactly those.
 * Not live: the API sends a vendor no events for shared tasks, so the page offers a refresh.
 */
export function useSharedWork() {
  const [first, setFirst] = useState(SHARED_PAGE_SIZE);
  const [result, reexecute] = useQuery({ query: SharedWorkQuery, variables: { first } });
  const connection = result.data?.tasks;
  return {
    tasks: connection?.nodes ?? [],
    totalCount: connection?.totalCount ?? 0,
    hasMore: (connection?.pageInfo.hasNextPage ?? false) && first < SHARED_MAX,
    loading: result.fetching && !result.data,
    refreshing: result.fetching && Boolean(result.data),
    errors: result.error ? errorsFromCombined(result.error) : [],
    showMore: () => {
      setFirst((n) => Math.min(n + SHARED_PAGE_SIZE, SHARED_MAX));
    },
    refresh: () => {
      reexecute({ requestPolicy: 'network-only' });
    },
  };
}
