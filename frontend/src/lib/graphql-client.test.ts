import { describe, expect, it, vi } from 'vitest';
import { MyTaskChangesDocument, MyTasksDocument } from '@/gql/graphql';
import { persistedSubscriptions } from '@/gql/persisted-subscriptions';
import { stubFetch } from '@/testing/fetch';
import { createGraphqlClient, persistedHash } from './graphql-client';

const origin = 'http://studio.test';
const data = { me: { __typename: 'Viewer', employee: null } };

function setup(csrf: string | null = 'csrf-9') {
  const onUnauthenticated = vi.fn();
  const subscribe = vi.fn(() => () => undefined);
  const wsClient = {
    subscribe,
    dispose: vi.fn(),
    on: vi.fn(),
    terminate: vi.fn(),
    iterate: vi.fn(),
  };
  const { client } = createGraphqlClient({
    csrfToken: () => csrf,
    onUnauthenticated,
    origin,
    wsClient,
  });
  return { client, onUnauthenticated, subscribe };
}

describe('graphql client', () => {
  it('sends only the persisted hash, with the CSRF header and the cookie', async () => {
    const requests = stubFetch(() => ({ body: { data } }));
    const { client } = setup();
    const result = await client.query(MyTasksDocument, {}).toPromise();
    expect(result.error).toBeUndefined();
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.url).toBe(`${origin}/graphql`);
    expect(request?.method).toBe('POST');
    expect(request?.headers['x-csrf-token']).toBe('csrf-9');
    const body = request?.body as { query?: string; extensions: unknown };
    expect(body.query).toBeUndefined();
    expect(body.extensions).toEqual({
      persistedQuery: { version: 1, sha256Hash: persistedHash(MyTasksDocument) },
    });
    expect(persistedHash(MyTasksDocument)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('resends the document when the gateway does not know the hash', async () => {
    const requests = stubFetch((request) =>
      (request.body as { query?: string }).query
        ? { body: { data } }
        : {
            body: {
              errors: [
                {
                  message: 'PersistedQueryNotFound',
                  extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
                },
              ],
            },
          },
    );
    const { client } = setup();
    const result = await client.query(MyTasksDocument, {}).toPromise();
    expect(result.error).toBeUndefined();
    expect(requests).toHaveLength(2);
    expect((requests[1]?.body as { query: string }).query).toContain('query MyTasks');
  });

  it('ends the session when the gateway answers UNAUTHENTICATED', async () => {
    stubFetch(() => ({
      status: 401,
      body: {
        errors: [{ message: 'authentication required', extensions: { code: 'UNAUTHENTICATED' } }],
      },
    }));
    const { client, onUnauthenticated } = setup();
    const result = await client.query(MyTasksDocument, {}).toPromise();
    expect(result.error?.graphQLErrors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    expect(onUnauthenticated).toHaveBeenCalledOnce();
  });

  it('subscribes with the manifest text and its hash', async () => {
    const { client, subscribe } = setup();
    const subscription = client.subscription(MyTaskChangesDocument, {}).subscribe(() => undefined);
    await vi.waitFor(() => {
      expect(subscribe).toHaveBeenCalled();
    });
    const hash = persistedHash(MyTaskChangesDocument) ?? '';
    expect(persistedSubscriptions[hash]).toContain('subscription MyTaskChanges {');
    expect(subscribe).toHaveBeenCalledWith(
      expect.objectContaining({
        query: persistedSubscriptions[hash],
        extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
      }),
      expect.anything(),
    );
    subscription.unsubscribe();
  });
});
