import { useEffect, useMemo, useRef } from 'react';
import { useQuery, useSubscription } from 'urql';
import { graphql } from '@/gql';
import type { RenderJobFieldsFragment } from '@/gql/graphql';
import { errorsFromCombined } from '@/lib/api-error';
import { matchesFilter, STATUS_FILTERS, type StatusFilter } from '../job-actions';
import { useResyncOnReconnect } from '@/stores/use-resync-on-reconnect';

/** Jobs per page of the queue. */
export const RENDER_PAGE_SIZE = 25;

const RenderQueueQuery = graphql(`
  query RenderQueue($filter: RenderJobFilter, $first: Int!, $after: String) {
    renderJobs(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...RenderJobFields
      }
    }
  }
`);

const MyRenderJobsQuery = graphql(`
  query MyRenderJobs {
    me {
      employee {
        id
        renderJobs {
          ...RenderJobFields
        }
      }
    }
  }
`);

const RenderJobUpdatesSubscription = graphql(`
  subscription RenderJobUpdates {
    renderJobChanged {
      kind
      job {
        ...RenderJobFields
      }
    }
  }
`);

function queueVariables(filter: StatusFilter, after: string | null) {
  const status = STATUS_FILTERS[filter];
  return {
    filter: status ? { status: [...status] } : null,
    first: RENDER_PAGE_SIZE,
    after,
  };
}

/** One page of the tenant's queue (newest first) under a status filter. */
export function useRenderQueuePage(filter: StatusFilter, after: string | null, pause = false) {
  const [result, reexecute] = useQuery({
    query: RenderQueueQuery,
    variables: queueVariables(filter, after),
    pause,
  });
  // Changes sent while the socket was away are not replayed: fetch again when it is back.
  useResyncOnReconnect(() => {
    if (!pause) reexecute({ requestPolicy: 'network-only' });
  });
  const connection = result.data?.renderJobs;
  const nodes = connection?.nodes;
  // A job that left the filter (say it finished) leaves the list at once.
  const jobs: RenderJobFieldsFragment[] = useMemo(
    () => (nodes ?? []).filter((job) => matchesFilter(job.status, filter)),
    [nodes, filter],
  );
  return {
    jobs,
    totalCount: connection?.totalCount ?? 0,
    nextCursor: connection?.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null,
    loading: result.fetching && !result.data,
    errors: result.error ? errorsFromCombined(result.error) : [],
    reexecute,
  };
}

/** The viewer's own jobs (`me.employee.renderJobs`), for people who are not operators. */
export function useMyRenderJobs(filter: StatusFilter, pause = false) {
  const [result, reexecute] = useQuery({ query: MyRenderJobsQuery, pause });
  useResyncOnReconnect(() => {
    if (!pause) reexecute({ requestPolicy: 'network-only' });
  });
  const employee = result.data?.me.employee ?? null;
  const jobs: RenderJobFieldsFragment[] = useMemo(
    () => (employee?.renderJobs ?? []).filter((job) => matchesFilter(job.status, filter)),
    [employee, filter],
  );
  return {
    jobs,
    employeeId: employee?.id ?? null,
    hasEmployee: !result.data || employee !== null,
    loading: result.fetching && !result.data,
    errors: result.error ? errorsFromCombined(result.error) : [],
    reexecute,
  };
}

/**
 * Every job change, live: the job lands in the normalized cache, so status, priority, cost and
 * the progress bar change in place; `onUnlisted` hears of jobs the list does not hold yet (a new
 * submission) so the caller can refetch.
 */
export function useRenderJobUpdates(
  listed: readonly { id: string }[],
  onUnlisted: (job: RenderJobFieldsFragment) => void,
  pause = false,
) {
  const [live] = useSubscription({ query: RenderJobUpdatesSubscription, pause });
  const event = live.data?.renderJobChanged;
  const seen = useRef<typeof event>(undefined);
  useEffect(() => {
    if (!event || seen.current === event) return;
    seen.current = event;
    if (!listed.some((job) => job.id === event.job.id)) onUnlisted(event.job);
  }, [event, listed, onUnlisted]);
  return { liveErrors: live.error ? errorsFromCombined(live.error) : [] };
}
