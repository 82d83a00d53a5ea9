import { useEffect } from 'react';
import { useQuery } from 'urql';
import { graphql } from '@/gql';
import { errorsFromCombined } from '@/lib/api-error';

/** How often the workers view asks again (workers and pools have no subscription). */
export const WORKERS_REFRESH_MS = 15_000;

const RenderFarmQuery = graphql(`
  query RenderFarm {
    renderPools {
      name
      ratePerCoreHour {
        amount
        currency
      }
      quotaCores
      runningCores
      queuedTasks
      onlineWorkers
      capacityCores
    }
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

/**
 * The farm as the tenant sees it: every pool (rate, the tenant's use against its quota, queued
 * chunks, capacity) and the tenant's render nodes, in one query refreshed every
 * WORKERS_REFRESH_MS while shown.
 */
export function useRenderWorkers() {
  const [result, reexecute] = useQuery({ query: RenderFarmQuery });
  useEffect(() => {
    const timer = window.setInterval(() => {
      reexecute({ requestPolicy: 'network-only' });
    }, WORKERS_REFRESH_MS);
    return () => {
      window.clearInterval(timer);
    };
  }, [reexecute]);
  return {
    pools: result.data?.renderPools ?? [],
    workers: result.data?.renderWorkers ?? [],
    loading: result.fetching && !result.data,
    refreshing: result.fetching,
    errors: result.error ? errorsFromCombined(result.error) : [],
    refresh: () => {
      reexecute({ requestPolicy: 'network-only' });
    },
  };
}
