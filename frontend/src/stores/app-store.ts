import { create } from 'zustand';
import { createSessionSlice, type SessionSlice } from './session-slice';
import { createUiSlice, type UiSlice } from './ui-slice';

/** Session and UI state only: server data lives in the GraphQL client's cache. */
export type AppState = SessionSlice & UiSlice;

export const useAppStore = create<AppState>()((...args) => ({
  ...createSessionSlice(...args),
  ...createUiSlice(...args),
}));
