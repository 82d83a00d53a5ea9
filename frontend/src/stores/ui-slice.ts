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
  setSocketStatus: (socketStatus) => {
    set({ socketStatus });
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
