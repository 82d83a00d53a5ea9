import { beforeEach, describe, expect, it } from 'vitest';
import { stubFetch } from '@/testing/fetch';
import { useAppStore } from './app-store';

const user = {
  id: 'u1',
  email: 'artist@northwind.test',
  tenantId: 't1',
  employeeId: 'e1',
  roles: ['ARTIST'],
};

const initial = useAppStore.getState();

beforeEach(() => {
  useAppStore.setState(initial, true);
});

describe('session slice', () => {
  it('restores an existing session from /auth/session', async () => {
    const requests = stubFetch(() => ({ body: { user, csrfToken: 'csrf-1' } }));
    await useAppStore.getState().restoreSession();
    const state = useAppStore.getState();
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /auth/session']);
    expect(state.status).toBe('authenticated');
    expect(state.user?.email).toBe('artist@northwind.test');
    expect(state.csrfToken).toBe('csrf-1');
    expect(state.busy).toBe(false);
  });

  it('is anonymous without a session (401), with no error shown', async () => {
    stubFetch(() => ({
      status: 401,
      body: { errors: [{ message: 'no session', extensions: { code: 'UNAUTHENTICATED' } }] },
    }));
    await useAppStore.getState().restoreSession();
    expect(useAppStore.getState().status).toBe('anonymous');
    expect(useAppStore.getState().authErrors).toEqual([]);
  });

  it('keeps the reason when the gateway cannot check the session', async () => {
    stubFetch(() => ({
      status: 503,
      body: { errors: [{ message: 'redis down', extensions: { code: 'SUBGRAPH_UNAVAILABLE' } }] },
    }));
    await useAppStore.getState().restoreSession();
    expect(useAppStore.getState().status).toBe('anonymous');
    expect(useAppStore.getState().authErrors).toEqual([
      { message: 'redis down', code: 'SUBGRAPH_UNAVAILABLE' },
    ]);
  });

  it('logs in with email and password and keeps the CSRF token', async () => {
    const requests = stubFetch(() => ({ body: { user, csrfToken: 'csrf-2' } }));
    const ok = await useAppStore.getState().login('artist@northwind.test', 'pw');
    expect(ok).toBe(true);
    expect(requests[0]?.body).toEqual({ email: 'artist@northwind.test', password: 'pw' });
    expect(requests[0]?.headers['content-type']).toBe('application/json');
    expect(useAppStore.getState().csrfToken).toBe('csrf-2');
  });

  it('shows a refused login with its message and code', async () => {
    stubFetch(() => ({
      status: 401,
      body: {
        errors: [
          { message: 'invalid or expired credentials', extensions: { code: 'UNAUTHENTICATED' } },
        ],
      },
    }));
    const ok = await useAppStore.getState().login('artist@northwind.test', 'wrong');
    expect(ok).toBe(false);
    expect(useAppStore.getState().status).toBe('unknown');
    expect(useAppStore.getState().authErrors).toEqual([
      { message: 'invalid or expired credentials', code: 'UNAUTHENTICATED' },
    ]);
  });

  it('logs out with the CSRF header and forgets the user', async () => {
    useAppStore.setState({
      status: 'authenticated',
      user: { ...user, roles: ['ARTIST'] },
      csrfToken: 'csrf-3',
    });
    const requests = stubFetch(() => ({ status: 204 }));
    await useAppStore.getState().logout();
    expect(requests[0]?.method).toBe('POST');
    expect(requests[0]?.url).toBe('/auth/logout');
    expect(requests[0]?.headers['x-csrf-token']).toBe('csrf-3');
    expect(useAppStore.getState()).toMatchObject({
      status: 'anonymous',
      user: null,
      csrfToken: null,
    });
  });

  it('marks a session the gateway refused mid-use as expired', () => {
    useAppStore.setState({
      status: 'authenticated',
      user: { ...user, roles: ['ARTIST'] },
      csrfToken: 'x',
    });
    useAppStore.getState().sessionExpired();
    expect(useAppStore.getState()).toMatchObject({
      status: 'anonymous',
      expired: true,
      user: null,
    });
  });
});
