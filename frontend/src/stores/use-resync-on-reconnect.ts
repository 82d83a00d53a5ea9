import { useEffect, useRef } from 'react';
import { useAppStore } from './app-store';

/**
 * Calls `resync` each time the live socket comes back after a loss: what changed while it was
 * away was never delivered (the server's live feed is not replayed), so a live page refetches its
 * data then. Not called on the first connection.
 */
export function useResyncOnReconnect(resync: () => void) {
  const reconnects = useAppStore((s) => s.reconnects);
  const latest = useRef(resync);
  useEffect(() => {
    latest.current = resync;
  });
  const seen = useRef(reconnects);
  useEffect(() => {
    if (reconnects === seen.current) return;
    seen.current = reconnects;
    latest.current();
  }, [reconnects]);
}
