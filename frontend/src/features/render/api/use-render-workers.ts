import { useEffect } from 'react';
import { useQuery } from 'urql';
import { graphql } from '@/gql';
import { errorsFromCombined } from '@/lib/api-error';

/** How often the workers view asks again (workers have no subscription). */
export const WORKERS_REFRESH_MS = 15_000;

const RenderWorkersQuery = graphql(`
  query RenderWorkers {
    renderWorkers {
      id
      hostname
      pool
      cores
      status
      lastHeartbeatAt
    }
  }
`);

/** The tenant's render nodes, refreshed every WORKERS_REFRESH_MS while shown. */
export function useRenderWorkers() {
  const [result, reexecute] = useQuery({ query: RenderWorkersQuery });
  useEffect(() => {
    const timer = window.setInterval(() => {
      reexecute({ requestPolicy: 'network-only' });
    }, WORKERS_REFRESH_MS);
    return () => {
      window.clearInterval(timer);
    };
  }, [reexecute]);
  return {
    workers: result.data?.renderWorkers ?? [],
    loading: result.fetching && !result.data,
    refreshing: result.fetching,
    errors: result.error ? errorsFromCombined(result.error) : [],
    refresh: () => {
      reexecute({ requestPolicy: 'network-only' });
    },
  };
}
