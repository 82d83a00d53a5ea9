import { create } from 'zustand';
import type { StatusFilter } from '../job-actions';

export type RenderView = 'jobs' | 'workers' | 'costs';

/** UI state of the render queue page (server data stays in the GraphQL cache). */
export interface RenderUiState {
  view: RenderView;
  statusFilter: StatusFilter;
  /** Workers view: one pool, or every pool (null). */
  workerPool: string | null;
  setView: (view: RenderView) => void;
  setStatusFilter: (filter: StatusFilter) => void;
  setWorkerPool: (pool: string | null) => void;
}

export const useRenderUi = create<RenderUiState>()((set) => ({
  view: 'jobs',
  statusFilter: 'all',
  workerPool: null,
  setView: (view) => {
    set({ view });
  },
  setStatusFilter: (statusFilter) => {
    set({ statusFilter });
  },
  setWorkerPool: (workerPool) => {
    set({ workerPool });
  },
}));
