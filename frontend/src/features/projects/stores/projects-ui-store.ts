import { create } from 'zustand';

/** UI state of the projects pages (server data stays in the GraphQL cache). */
export interface ProjectsUiState {
  /** Show only at-risk tasks in the shot and asset lists. */
  atRiskOnly: boolean;
  /** The task whose assign form is open (one at a time). */
  assigningTaskId: string | null;
  setAtRiskOnly: (atRiskOnly: boolean) => void;
  openAssign: (taskId: string) => void;
  closeAssign: () => void;
}

export const useProjectsUi = create<ProjectsUiState>()((set) => ({
  atRiskOnly: false,
  assigningTaskId: null,
  setAtRiskOnly: (atRiskOnly) => {
    set({ atRiskOnly });
  },
  openAssign: (assigningTaskId) => {
    set({ assigningTaskId });
  },
  closeAssign: () => {
    set({ assigningTaskId: null });
  },
}));
