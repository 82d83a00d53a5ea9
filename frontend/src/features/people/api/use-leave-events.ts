import { useEffect, useRef } from 'react';
import { useSubscription } from 'urql';
import { graphql } from '@/gql';
import { errorsFromCombined } from '@/lib/api-error';
import { useResyncOnReconnect } from '@/stores/use-resync-on-reconnect';

const LeaveEventsSubscription = graphql(`
  subscription LeaveEvents {
    events(types: ["hr.leave.*"]) {
      id
      type
    }
  }
`);

/**
 * Calls `onEvent` for every leave event of the tenant (requested, approved, rejected,
 * cancelled). The API sends HR's events to HR managers and admins only, so the subscription
 * runs only when `enabled`.
 */
export function useLeaveEvents(enabled: boolean, onEvent: () => void) {
  const [live] = useSubscription({ query: LeaveEventsSubscription, pause: !enabled });
  const event = live.data?.events;
  const seen = useRef<typeof event>(undefined);
  const callback = useRef(onEvent);
  useEffect(() => {
    callback.current = onEvent;
  }, [onEvent]);
  // Events sent while the socket was away are not replayed: treat the reconnection as one.
  useResyncOnReconnect(() => {
    if (enabled) callback.current();
  });
  useEffect(() => {
    if (!event || seen.current === event) return;
    seen.current = event;
    callback.current();
  }, [event]);
  return { liveErrors: live.error ? errorsFromCombined(live.error) : [] };
}
