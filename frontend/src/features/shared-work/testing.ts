import type { SharedTaskFieldsFragment } from '@/gql/graphql';

/** A shared task as a vendor gets it, with sensible defaults. */
export function sharedTask(
  overrides: Partial<SharedTaskFieldsFragment> = {},
): SharedTaskFieldsFragment {
  return {
    __typename: 'Task',
    id: 't1',
    name: 'Comp',
    type: 'COMPOSITING',
    status: 'IN_PROGRESS',
    dueDate: '2031-03-06',
    project: { __typename: 'Project', id: 'p1', code: 'SKY', name: 'Skyward' },
    shot: { __typename: 'Shot', id: 's1', code: 'SQ010_SH020' },
    asset: null,
    versions: [],
    notes: [],
    ...overrides,
  };
}

/** The `SharedWork` answer. */
export function sharedWork(tasks: SharedTaskFieldsFragment[], totalCount = tasks.length) {
  return {
    data: {
      __typename: 'Query' as const,
      tasks: {
        __typename: 'TaskConnection' as const,
        totalCount,
        pageInfo: { __typename: 'PageInfo' as const, hasNextPage: totalCount > tasks.length },
        nodes: tasks,
      },
    },
  };
}
