import { useEffect, useRef, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { graphql } from '@/gql';
import { errorsFromCombined } from '@/lib/api-error';
import { useResyncOnReconnect } from '@/stores/use-resync-on-reconnect';

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

const SharedWorkChangesSubscription = graphql(`
  subscription SharedWorkChanges {
    taskChanged {
      kind
      task {
        ...SharedTaskFields
      }
    }
  }
`);

/**
 * The tasks shared with the viewer's vendor tenant: for a vendor, `tasks` returns exactly those.
 *
 * Live: a vendor's `taskChanged` sends an event when a studio shares a task with it (kind
 * `SHARED`), then each change of that task, carrying the task as the vendor sees it. Every event
 * lands in the normalized cache (the subscription selects the same fields as the list), so a
 * listed task changes in place without a request; an event for a task the list does not hold
 * fetches the list again from the network (a newly shared task appears). When the list is cut
 * short (`hasMore`), only a `SHARED` event does: a change of an unlisted task is then most likely
 * one of the tasks not shown, and fetching the same page again would not show it.
 *
 * Not live for an unshare: once a studio stops sharing a task the vendor may no longer see it, so
 * the API sends nothing about it (neither the unshare nor later changes) and its card stays until
 * the list is fetched again: `refresh` (from the network) drops it, as does any refetch above.
 */
export function useSharedWork() {
  const [first, setFirst] = useState(SHARED_PAGE_SIZE);
  const [result, reexecute] = useQuery({ query: SharedWorkQuery, variables: { first } });
  // Changes sent while the socket was away are not replayed: fetch again when it is back.
  useResyncOnReconnect(() => {
    reexecute({ requestPolicy: 'network-only' });
  });
  const [live] = useSubscription({ query: SharedWorkChangesSubscription });
  const connection = result.data?.tasks;
  const nodes = connection?.nodes;
  const hasNextPage = connection?.pageInfo.hasNextPage ?? false;
  const event = live.data?.taskChanged;

  // Each event is looked at once: a refetch must not make the same event refetch again.
  const seen = useRef<typeof event>(undefined);
  useEffect(() => {
    if (!event || !nodes || seen.current === event) return;
    seen.current = event;
    const listed = nodes.some((task) => task.id === event.task.id);
    if (!listed && (!hasNextPage || event.kind === 'SHARED')) {
      reexecute({ requestPolicy: 'network-only' });
    }
  }, [event, nodes, hasNextPage, reexecute]);

  return {
    tasks: nodes ?? [],
    totalCount: connection?.totalCount ?? 0,
    hasMore: hasNextPage && first < SHARED_MAX,
    loading: result.fetching && !result.data,
    refreshing: result.fetching && Boolean(result.data),
    errors: result.error ? errorsFromCombined(result.error) : [],
    liveErrors: live.error ? errorsFromCombined(live.error) : [],
    showMore: () => {
      setFirst((n) => Math.min(n + SHARED_PAGE_SIZE, SHARED_MAX));
    },
    refresh: () => {
      reexecute({ requestPolicy: 'network-only' });
    },
  };
}
