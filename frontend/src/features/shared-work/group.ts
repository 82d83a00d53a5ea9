import type { SharedTaskFieldsFragment } from '@/gql/graphql';

export interface ProjectGroup {
  /** The project's id, or '' for tasks whose project is not visible. */
  id: string;
  code: string | null;
  name: string | null;
  tasks: SharedTaskFieldsFragment[];
}

/** Where a task sits in its project: the shot's or asset's code. */
export function entityCode(task: SharedTaskFieldsFragment): string {
  return task.shot?.code ?? task.asset?.code ?? '';
}

/**
 * The tasks by project (projects by code), each project's tasks by shot or asset code, then
 * name. A task without a visible project goes to a last group of its own.
 */
export function groupByProject(tasks: readonly SharedTaskFieldsFragment[]): ProjectGroup[] {
  const groups = new Map<string, ProjectGroup>();
  for (const task of tasks) {
    const id = task.project?.id ?? '';
    let group = groups.get(id);
    if (!group) {
      group = { id, code: task.project?.code ?? null, name: task.project?.name ?? null, tasks: [] };
      groups.set(id, group);
    }
    group.tasks.push(task);
  }
  const byText = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });
  for (const group of groups.values()) {
    group.tasks.sort((a, b) => byText(entityCode(a), entityCode(b)) || byText(a.name, b.name));
  }
  return [...groups.values()].sort((a, b) => {
    if (a.code === null) return 1;
    if (b.code === null) return -1;
    return byText(a.code, b.code);
  });
}
