import type { BoardTask } from './board';

/** A board task with sensible defaults. */
export function boardTask(overrides: Partial<BoardTask> = {}): BoardTask {
  return {
    __typename: 'Task',
    id: 't1',
    name: 'Animation',
    type: 'ANIMATION',
    status: 'READY',
    dueDate: null,
    estimateHours: null,
    atRisk: false,
    availableTransitions: [],
    project: { __typename: 'Project', id: 'p1', code: 'SKY' },
    shot: { __typename: 'Shot', id: 's1', code: 'SQ010_SH010' },
    asset: null,
    ...overrides,
  };
}

export const start = { __typename: 'TaskTransition', to: 'IN_PROGRESS', label: 'Start' } as const;
