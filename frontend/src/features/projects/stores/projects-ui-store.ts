import { create } from 'zustand';

/** UI state of the projects pages (server data stays in the GraphQL cache). */
export interface ProjectsUiState {
  /** Show only at-risk tasks in the shot and asset lists. */
  atRiskOnly: boolean;
  /** The task whose assign form is open (one at a time). */
  assigningTaskId: string | null;
  /** The task whose vendor sharing panel is open (one panel at a time, assign or share). */
  sharingTaskId: string | null;
  setAtRiskOnly: (atRiskOnly: boolean) => void;
  openAssign: (taskId: string) => void;
  closeAssign: () => void;
  openShare: (taskId: string) => void;
  closeShare: () => void;
}

export const useProjectsUi = create<ProjectsUiState>()((set) => ({
  atRiskOnly: false,
  assigningTaskId: null,
  sharingTaskId: null,
  setAtRiskOnly: (atRiskOnly) => {
    set({ atRiskOnly });
  },
  openAssign: (assigningTaskId) => {
    set({ assigningTaskId, sharingTaskId: null });
  },
  closeAssign: () => {
    set({ assigningTaskId: null });
  },
  openShare: (sharingTaskId) => {
    set({ sharingTaskId, assigningTaskId: null });
  },
  closeShare: () => {
    set({ sharingTaskId: null });
  },
}));
