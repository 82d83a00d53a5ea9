import type { StateCreator } from 'zustand';
import type { ApiError } from '@/lib/api-error';
import type { SocketStatus } from '@/lib/graphql-client';
import type { AppState } from './app-store';

/** A transient message: the outcome of an action the user took. */
export interface Notice {
  id: number;
  kind: 'success' | 'error';
  message: string;
  errors: ApiError[];
}

export interface UiSlice {
  notices: Notice[];
  /** The live-updates socket of the session's GraphQL client. */
  socketStatus: SocketStatus;
  /**
   * How many times the socket came back after a loss. Events sent while it was away are not
   * replayed, so live pages refetch when this grows (`useResyncOnReconnect`).
   */
  reconnects: number;
  /** Whether this client's socket was ever acknowledged (reset when the client goes, `idle`). */
  socketWasConnected: boolean;
  setSocketStatus: (status: SocketStatus) => void;
  notify: (notice: Omit<Notice, 'id' | 'errors'> & { errors?: ApiError[] }) => number;
  dismissNotice: (id: number) => void;
}

/** At most this many notices are kept; older ones drop off. */
export const MAX_NOTICES = 4;

let nextId = 1;

export const createUiSlice: StateCreator<AppState, [], [], UiSlice> = (set) => ({
  notices: [],
  socketStatus: 'idle',
  reconnects: 0,
  socketWasConnected: false,
  setSocketStatus: (socketStatus) => {
    set((state) => {
      if (socketStatus === 'idle') return { socketStatus, socketWasConnected: false };
      if (socketStatus !== 'connected') return { socketStatus };
      return {
        socketStatus,
        socketWasConnected: true,
        reconnects: state.socketWasConnected ? state.reconnects + 1 : state.reconnects,
      };
    });
  },
  notify: ({ kind, message, errors = [] }) => {
    const id = nextId++;
    set((state) => ({
      notices: [...state.notices, { id, kind, message, errors }].slice(-MAX_NOTICES),
    }));
    return id;
  },
  dismissNotice: (id) => {
    set((state) => ({ notices: state.notices.filter((n) => n.id !== id) }));
  },
});
