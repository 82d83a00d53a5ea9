import type { StateCreator } from 'zustand';
import { errorsOf, type ApiError } from '@/lib/api-error';
import * as authApi from '@/lib/auth-api';
import type { SessionUser } from '@/lib/auth-api';
import type { AppState } from './app-store';

/** `unknown` until `/auth/session` has answered once. */
export type SessionStatus = 'unknown' | 'anonymous' | 'authenticated';

export interface SessionSlice {
  status: SessionStatus;
  user: SessionUser | null;
  csrfToken: string | null;
  /** A login, logout or session check is in flight. */
  busy: boolean;
  /** Why the last login, logout or session check failed. */
  authErrors: ApiError[];
  /** Set when the gateway refused the session mid-use (expired or revoked). */
  expired: boolean;
  restoreSession: () => Promise<void>;
  login: (email: string, password: string) => Promise<boolean>;
  logout: () => Promise<void>;
  sessionExpired: () => void;
}

const signedOut = { status: 'anonymous', user: null, csrfToken: null } as const;

export const createSessionSlice: StateCreator<AppState, [], [], SessionSlice> = (set, get) => ({
  status: 'unknown',
  user: null,
  csrfToken: null,
  busy: false,
  authErrors: [],
  expired: false,

  restoreSession: async () => {
    set({ busy: true, authErrors: [] });
    try {
      const session = await authApi.currentSession();
      set(
        session
          ? { status: 'authenticated', user: session.user, csrfToken: session.csrfToken }
          : signedOut,
      );
    } catch (caught) {
      set({ ...signedOut, authErrors: errorsOf(caught) });
    } finally {
      set({ busy: false });
    }
  },

  login: async (email, password) => {
    set({ busy: true, authErrors: [] });
    try {
      const session = await authApi.login(email, password);
      set({
        status: 'authenticated',
        user: session.user,
        csrfToken: session.csrfToken,
        expired: false,
      });
      return true;
    } catch (caught) {
      set({ authErrors: errorsOf(caught) });
      return false;
    } finally {
      set({ busy: false });
    }
  },

  logout: async () => {
    const { csrfToken } = get();
    set({ busy: true, authErrors: [] });
    try {
      if (csrfToken) await authApi.logout(csrfToken);
      set({ ...signedOut, expired: false });
    } catch (caught) {
      const errors = errorsOf(caught);
      // An already-dead session is as good as logged out.
      if (errors.some((e) => e.code === 'UNAUTHENTICATED')) set({ ...signedOut });
      else set({ authErrors: errors });
    } finally {
      set({ busy: false });
    }
  },

  sessionExpired: () => {
    if (get().status === 'authenticated') set({ ...signedOut, expired: true });
  },
});
