import { act } from '@testing-library/react';
import type { Sink } from 'graphql-ws';
import { vi } from 'vitest';
import { createGraphqlClient } from '@/lib/graphql-client';

/**
 * The app's own GraphQL client (graphcache included, so queries and live events meet in the
 * normalized cache as in the browser) over `fetch` as the test stubs it (`stubFetch`) and a fake
 * socket: `send` pushes a payload to every open subscription.
 */
export function liveTestClient(origin = 'http://studio.test') {
  const sinks: Sink[] = [];
  const send = (payload: unknown) => {
    act(() => {
      for (const sink of sinks) sink.next(payload);
    });
  };
  const { client } = createGraphqlClient({
    csrfToken: () => null,
    onUnauthenticated: () => undefined,
    origin,
    wsClient: {
      subscribe: (_payload: unknown, sink: Sink) => {
        sinks.push(sink);
        return () => undefined;
      },
      iterate: vi.fn(),
      on: vi.fn(),
      dispose: vi.fn(),
      terminate: vi.fn(),
    },
  });
  return { client, sinks, send };
}
