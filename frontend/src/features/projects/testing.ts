import type {
  ProjectShotFieldsFragment,
  ProjectTaskFieldsFragment,
  ProjectViewQuery,
} from '@/gql/graphql';

/** A project task with sensible defaults. */
export function projectTask(
  overrides: Partial<ProjectTaskFieldsFragment> = {},
): ProjectTaskFieldsFragment {
  return {
    __typename: 'Task',
    id: 't1',
    name: 'Lighting',
    type: 'LIGHTING',
    status: 'READY',
    dueDate: '2031-03-06',
    estimateHours: 8,
    atRisk: false,
    sharedWith: [],
    assignee: { __typename: 'Employee', id: 'e1', displayName: 'Ada Artist' },
    versions: [],
    ...overrides,
  };
}

/** A shot with one task and one render job. */
export function projectShot(
  overrides: Partial<ProjectShotFieldsFragment> = {},
): ProjectShotFieldsFragment {
  return {
    __typename: 'Shot',
    id: 's1',
    code: 'SQ010_SH010',
    description: null,
    frameStart: 1001,
    frameEnd: 1100,
    status: 'ACTIVE',
    renderCost: { __typename: 'Money', amount: '3.50', currency: 'EUR' },
    renderJobs: [
      {
        __typename: 'RenderJob',
        id: 'j1',
        name: 'beauty',
        status: 'RUNNING',
        progress: { __typename: 'Progress', done: 2, total: 5 },
        cost: { __typename: 'Money', amount: '1.25', currency: 'EUR' },
      },
    ],
    tasks: [projectTask()],
    ...overrides,
  };
}

const page = (hasNextPage: boolean) => ({
  __typename: 'PageInfo' as const,
  hasNextPage,
  endCursor: hasNextPage ? 'cursor-1' : null,
});

/** The `ProjectView` answer: one project, its shots, no assets, its at-risk tasks. */
export function projectView(
  shots: ProjectShotFieldsFragment[] = [projectShot()],
  options: { moreShots?: boolean; atRisk?: ProjectViewQuery['tasks']['nodes'] } = {},
): { data: ProjectViewQuery } {
  const atRisk = options.atRisk ?? [];
  return {
    data: {
      __typename: 'Query',
      project: {
        __typename: 'Project',
        id: 'p1',
        code: 'SKY',
        name: 'Skyward',
        status: 'ACTIVE',
        autoRender: true,
        supervisor: { __typename: 'Employee', id: 'e-sup', displayName: 'Sam Supervisor' },
        shots: {
          __typename: 'ShotConnection',
          totalCount: shots.length + (options.moreShots ? 1 : 0),
          pageInfo: page(options.moreShots ?? false),
          nodes: shots,
        },
        assets: { __typename: 'AssetConnection', totalCount: 0, pageInfo: page(false), nodes: [] },
      },
      tasks: { __typename: 'TaskConnection', totalCount: atRisk.length, nodes: atRisk },
    },
  };
}
