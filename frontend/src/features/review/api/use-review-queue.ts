import { useEffect, useMemo, useRef } from 'react';
import { useQuery, useSubscription } from 'urql';
import { graphql } from '@/gql';
import type { ReviewChangesSubscription, ReviewTaskFieldsFragment } from '@/gql/graphql';
import { errorsFromCombined } from '@/lib/api-error';
import { useResyncOnReconnect } from '@/stores/use-resync-on-reconnect';

/** Tasks per page of the queue. */
export const REVIEW_PAGE_SIZE = 50;

const ReviewQueueQuery = graphql(`
  query ReviewQueue($first: Int!, $after: String) {
    tasks(filter: { status: [PENDING_REVIEW] }, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...ReviewTaskFields
      }
    }
  }
`);

const ReviewChangesSubscription = graphql(`
  subscription ReviewChanges {
    taskChanged {
      kind
      task {
        ...ReviewTaskFields
      }
    }
  }
`);

/** One change to a task, as `taskChanged` delivers it. */
export type ReviewEvent = ReviewChangesSubscription['taskChanged'];

/** Changes to the tenant's tasks, live; every page of the queue follows them. */
export function useReviewChanges() {
  const [live] = useSubscription({ query: ReviewChangesSubscription });
  return {
    event: live.data?.taskChanged ?? null,
    liveErrors: live.error ? errorsFromCombined(live.error) : [],
  };
}

function isPending(task: ReviewTaskFieldsFragment) {
  return task.status === 'PENDING_REVIEW';
}

/**
 * One page of the tasks pending review, in creation order: the first (`after` null) or the one
 * after a cursor. Live: a task whose status changes in the cache leaves the page at once (it is
 * still counted in `left`); a task that enters review (`event`, pending, held neither by this page
 * nor by one before it: `heldBefore`) may belong on this page, so the page is fetched again.
 */
export function useReviewQueuePage(
  after: string | null,
  event: ReviewEvent | null,
  heldBefore: boolean,
) {
  const [result, reexecute] = useQuery({
    query: ReviewQueueQuery,
    variables: { first: REVIEW_PAGE_SIZE, after },
  });
  // Changes sent while the socket was away are not replayed: fetch again when it is back.
  useResyncOnReconnect(() => {
    reexecute({ requestPolicy: 'network-only' });
  });
  const connection = result.data?.tasks;
  const nodes = connection?.nodes;
  const tasks: ReviewTaskFieldsFragment[] = useMemo(() => (nodes ?? []).filter(isPending), [nodes]);
  const held = heldBefore || (event !== null && (nodes ?? []).some((t) => t.id === event.task.id));

  // Each event is looked at once, and none from before the page was shown: a refetch must not
  // make the same event refetch again.
  const seen = useRef(event);
  useEffect(() => {
    if (!event || !nodes || seen.current === event) return;
    seen.current = event;
    if (event.task.status === 'PENDING_REVIEW' && !held) {
      reexecute({ requestPolicy: 'network-only' });
    }
  }, [event, nodes, held, reexecute]);

  return {
    tasks,
    /** Whether this page or one before it holds the event's task. */
    held,
    /** Tasks of this page that left review since it was fetched. */
    left: (nodes?.length ?? 0) - tasks.length,
    totalCount: connection?.totalCount ?? 0,
    nextCursor: connection?.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null,
    loading: result.fetching && !result.data,
    errors: result.error ? errorsFromCombined(result.error) : [],
    retry: () => {
      reexecute({ requestPolicy: 'network-only' });
    },
  };
}
