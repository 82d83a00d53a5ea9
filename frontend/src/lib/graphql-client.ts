import { Client, fetchExchange, mapExchange, subscriptionExchange, type Exchange } from 'urql';
import { cacheExchange } from '@urql/exchange-graphcache';
import { persistedExchange } from '@urql/exchange-persisted';
import type { DocumentNode } from 'graphql';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { persistedSubscriptions } from '@/gql/persisted-subscriptions';

export interface GraphqlClientOptions {
  /** The session's CSRF token, sent as `x-csrf-token` on every POST. */
  csrfToken: () => string | null;
  /** Called when the gateway says the session is gone. */
  onUnauthenticated: () => void;
  /** Base URL of the gateway (default: this page's origin, which the cookie needs). */
  origin?: string;
  /** The subscription socket's state, for the "live" indicator. */
  onSocketStatus?: (status: SocketStatus) => void;
  /** graphql-ws client (tests pass a fake). */
  wsClient?: WsClient;
}

/** `idle` until the first subscription opens the socket. */
export type SocketStatus = 'idle' | 'connecting' | 'connected' | 'closed';

export interface GraphqlClient {
  client: Client;
  dispose: () => void;
}

/** The SHA-256 graphql-codegen put on a document (`__meta__.hash`, `sha256:` prefix dropped). */
export function persistedHash(document: DocumentNode): string | null {
  const meta = (document as { __meta__?: { hash?: unknown } }).__meta__;
  return typeof meta?.hash === 'string' ? meta.hash.replace(/^sha256:/, '') : null;
}

function wsUrl(origin: string): string {
  const url = new URL('/graphql', origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** Entities without an id are embedded in their parent. */
const keyless = [
  'Viewer',
  'Money',
  'TaskTransition',
  'PageInfo',
  'TaskConnection',
  'TaskEdge',
  'TaskEvent',
  'Progress',
  'EmployeeConnection',
  'LeaveRequestConnection',
  'LeaveBalance',
  'ProjectConnection',
  'ShotConnection',
  'AssetConnection',
  'RenderJobConnection',
  'RenderJobEvent',
  'RenderPool',
] as const;

/**
 * The client: a normalized cache (graphcache, keyed by `__typename` + `id`), persisted operations
 * (the hash only, the document as a fallback when the gateway has no manifest), HTTP with the
 * session cookie and the CSRF header, and subscriptions over the gateway's own WebSocket
 * (cookie-authenticated sockets must come from its origin).
 */
export function createGraphqlClient(options: GraphqlClientOptions): GraphqlClient {
  const origin = options.origin ?? window.location.origin;
  // Opened on the first subscription, closed by dispose(); a later subscription opens a new one.
  let socket: WsClient | null = options.wsClient ?? null;
  const ws = (): WsClient =>
    (socket ??= createWsClient({
      url: wsUrl(origin),
      lazy: true,
      keepAlive: 15_000,
      retryAttempts: Infinity,
      shouldRetry: () => true,
      on: {
        connecting: () => options.onSocketStatus?.('connecting'),
        connected: () => options.onSocketStatus?.('connected'),
        closed: (event) => {
          options.onSocketStatus?.('closed');
          if ((event as CloseEvent | undefined)?.code === 4403) options.onUnauthenticated();
        },
      },
    }));

  const exchanges: Exchange[] = [
    mapExchange({
      onError(error) {
        if (error.graphQLErrors.some((e) => e.extensions.code === 'UNAUTHENTICATED')) {
          options.onUnauthenticated();
        }
      },
    }),
    cacheExchange({
      keys: Object.fromEntries(keyless.map((name) => [name, () => null])),
    }),
    persistedExchange({
      preferGetForPersistedQueries: false,
      enableForMutation: true,
      generateHash: (_query, document) => Promise.resolve(persistedHash(document) ?? ''),
    }),
    subscriptionExchange({
      forwardSubscription(request, operation) {
        // graphql-ws needs the text; the manifest's text (with its hash) is what the gateway trusts.
        const hash = persistedHash(operation.query);
        const query = (hash && persistedSubscriptions[hash]) ?? request.query ?? '';
        const payload = {
          query,
          variables: request.variables as Record<string, unknown> | undefined,
          operationName: request.operationName,
          extensions:
            hash && persistedSubscriptions[hash]
              ? { persistedQuery: { version: 1, sha256Hash: hash } }
              : undefined,
        };
        return {
          subscribe(sink) {
            const unsubscribe = ws().subscribe(payload, sink);
            return { unsubscribe };
          },
        };
      },
    }),
    fetchExchange,
  ];

  const client = new Client({
    url: new URL('/graphql', origin).toString(),
    exchanges,
    requestPolicy: 'cache-and-network',
    fetchOptions: (): RequestInit => {
      const token = options.csrfToken();
      const headers: Record<string, string> = token ? { 'x-csrf-token': token } : {};
      return { credentials: 'same-origin', headers };
    },
  });

  return {
    client,
    dispose: () => {
      void socket?.dispose();
      socket = null;
    },
  };
}
