import type { TaskCardFieldsFragment, TaskStatus } from '@/gql/graphql';

export type BoardTask = TaskCardFieldsFragment;

/** Board columns, in workflow order. */
export const STATUS_ORDER: readonly TaskStatus[] = [
  'WAITING',
  'READY',
  'IN_PROGRESS',
  'PENDING_REVIEW',
  'RETAKE',
  'ON_HOLD',
  'APPROVED',
];

export interface BoardColumn {
  status: TaskStatus;
  tasks: BoardTask[];
}

/** Earliest due date first (undated last), then by name. */
function compareTasks(a: BoardTask, b: BoardTask): number {
  if (a.dueDate !== b.dueDate) {
    if (a.dueDate === null) return 1;
    if (b.dueDate === null) return -1;
    return a.dueDate < b.dueDate ? -1 : 1;
  }
  return a.name.localeCompare(b.name);
}

/** One column per status, every status present (empty columns are drop targets too). */
export function groupByStatus(tasks: readonly BoardTask[]): BoardColumn[] {
  return STATUS_ORDER.map((status) => ({
    status,
    tasks: tasks.filter((task) => task.status === status).sort(compareTasks),
  }));
}

/** The transition that moves `task` to `status`, when the server offers one. */
export function transitionTo(task: BoardTask, status: TaskStatus) {
  return task.availableTransitions.find((transition) => transition.to === status) ?? null;
}

/** Where the task sits: project, then shot or asset code. */
export function taskContext(task: BoardTask): string {
  const parts = [task.project?.code, task.shot?.code ?? task.asset?.code];
  return parts.filter((part): part is string => Boolean(part)).join(' · ');
}
