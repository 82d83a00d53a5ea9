import type { RenderJobFieldsFragment } from '@/gql/graphql';

/** A render job with sensible defaults. */
export function renderJob(
  overrides: Partial<RenderJobFieldsFragment> = {},
): RenderJobFieldsFragment {
  return {
    __typename: 'RenderJob',
    id: 'j1',
    name: 'SH010 beauty',
    status: 'RUNNING',
    priority: 50,
    pool: 'cpu',
    frameStart: 1001,
    frameEnd: 1040,
    chunkSize: 10,
    coreSeconds: 7200,
    progress: { __typename: 'Progress', done: 1, total: 4 },
    cost: { __typename: 'Money', amount: '0.08', currency: 'EUR' },
    createdAt: '2026-01-02T10:00:00Z',
    startedAt: '2026-01-02T10:01:00Z',
    finishedAt: null,
    submittedBy: { __typename: 'Employee', id: 'e-wrangler', displayName: 'Wanda Wrangler' },
    shot: {
      __typename: 'Shot',
      id: 's1',
      code: 'SQ010_SH010',
      renderCost: { __typename: 'Money', amount: '1.20', currency: 'EUR' },
    },
    task: { __typename: 'Task', id: 't1', name: 'Lighting' },
    ...overrides,
  };
}
