import { useEffect, useMemo, useRef } from 'react';
import { useQuery, useSubscription } from 'urql';
import { graphql } from '@/gql';
import type { ReviewTaskFieldsFragment } from '@/gql/graphql';
import { errorsFromCombined } from '@/lib/api-error';

/** How many tasks the queue shows at once. */
export const REVIEW_PAGE_SIZE = 50;

const ReviewQueueQuery = graphql(`
  query ReviewQueue($first: Int!) {
    tasks(filter: { status: [PENDING_REVIEW] }, first: $first) {
      totalCount
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

/**
 * Tasks pending review, live: a reviewed task leaves the queue as soon as its status changes in
 * the cache; a task that enters review (a version published anywhere) refetches the queue.
 */
export function useReviewQueue() {
  const [result, reexecute] = useQuery({
    query: ReviewQueueQuery,
    variables: { first: REVIEW_PAGE_SIZE },
  });
  const [live] = useSubscription({ query: ReviewChangesSubscription });
  const nodes = result.data?.tasks.nodes;
  const tasks: ReviewTaskFieldsFragment[] = useMemo(
    () => (nodes ?? []).filter((task) => task.status === 'PENDING_REVIEW'),
    [nodes],
  );

  const event = live.data?.taskChanged;
  // Each event is looked at once: a refetch must not make the same event refetch again.
  const seen = useRef<typeof event>(undefined);
  useEffect(() => {
    if (!event || !nodes || seen.current === event) return;
    seen.current = event;
    const pending = event.task.status === 'PENDING_REVIEW';
    if (pending && !nodes.some((task) => task.id === event.task.id)) {
      reexecute({ requestPolicy: 'network-only' });
    }
  }, [event, nodes, reexecute]);

  return {
    tasks,
    loading: result.fetching && !result.data,
    errors: result.error ? errorsFromCombined(result.error) : [],
    liveErrors: live.error ? errorsFromCombined(live.error) : [],
    retry: () => {
      reexecute({ requestPolicy: 'network-only' });
    },
  };
}
