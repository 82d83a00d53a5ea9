import { useEffect, useState, type ReactNode } from 'react';
import { Provider } from 'urql';
import { createGraphqlClient } from '@/lib/graphql-client';
import { useAppStore } from '@/stores/app-store';

/**
 * One GraphQL client (cache and WebSocket) per session: remounted with a new session, so nothing
 * of the previous user survives a logout; unmounting closes its socket.
 */
export function GraphqlProvider({ children }: { children: ReactNode }) {
  const [graphql] = useState(() =>
    createGraphqlClient({
      csrfToken: () => useAppStore.getState().csrfToken,
      onUnauthenticated: () => {
        useAppStore.getState().sessionExpired();
      },
      onSocketStatus: (status) => {
        useAppStore.getState().setSocketStatus(status);
      },
    }),
  );
  useEffect(
    () => () => {
      graphql.dispose();
      useAppStore.getState().setSocketStatus('idle');
    },
    [graphql],
  );
  return <Provider value={graphql.client}>{children}</Provider>;
}
