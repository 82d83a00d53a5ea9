import { describe, expect, it } from 'vitest';
import type { RenderJobStatus } from '@/gql/graphql';
import {
  costsByShot,
  jobActions,
  matchesFilter,
  mayManage,
  progressPercent,
  type JobViewer,
} from './job-actions';
import { renderJob } from './testing';

const wrangler: JobViewer = { roles: ['RENDER_WRANGLER'], employeeId: 'e-other' };
const submitter: JobViewer = { roles: ['ARTIST'], employeeId: 'e-wrangler' };
const stranger: JobViewer = { roles: ['ARTIST'], employeeId: 'e-stranger' };

describe('job actions', () => {
  it('offers each status exactly what the server accepts', () => {
    const actions = (status: RenderJobStatus) => jobActions(renderJob({ status }), wrangler);
    expect(actions('QUEUED')).toEqual(['pause', 'cancel', 'priority']);
    expect(actions('RUNNING')).toEqual(['pause', 'cancel', 'priority']);
    expect(actions('PAUSED')).toEqual(['resume', 'cancel', 'priority']);
    expect(actions('FAILED')).toEqual(['retry']);
    expect(actions('SUCCEEDED')).toEqual([]);
    expect(actions('CANCELLED')).toEqual([]);
  });

  it('lets operators and the submitter manage a job, nobody else', () => {
    const job = renderJob();
    expect(mayManage(job, wrangler)).toBe(true);
    expect(mayManage(job, { roles: ['SUPERVISOR'], employeeId: null })).toBe(true);
    expect(mayManage(job, { roles: ['ADMIN'], employeeId: null })).toBe(true);
    expect(mayManage(job, submitter)).toBe(true);
    expect(jobActions(job, stranger)).toEqual([]);
    expect(
      jobActions(renderJob({ submittedBy: null }), { roles: ['ARTIST'], employeeId: null }),
    ).toEqual([]);
  });

  it('computes progress as a rounded percentage, 0 without chunks', () => {
    expect(progressPercent({ done: 1, total: 3 })).toBe(33);
    expect(progressPercent({ done: 4, total: 4 })).toBe(100);
    expect(progressPercent({ done: 0, total: 0 })).toBe(0);
  });

  it('filters by status group', () => {
    expect(matchesFilter('PAUSED', 'active')).toBe(true);
    expect(matchesFilter('SUCCEEDED', 'active')).toBe(false);
    expect(matchesFilter('CANCELLED', 'finished')).toBe(true);
    expect(matchesFilter('FAILED', 'failed')).toBe(true);
    expect(matchesFilter('FAILED', 'all')).toBe(true);
  });

  it('groups listed jobs by shot, summing exact cents per currency', () => {
    const other = {
      __typename: 'Shot' as const,
      id: 's0',
      code: 'SQ010_SH005',
      renderCost: null,
    };
    const costs = costsByShot([
      renderJob({ id: 'a', cost: { __typename: 'Money', amount: '0.10', currency: 'EUR' } }),
      renderJob({ id: 'b', cost: { __typename: 'Money', amount: '0.20', currency: 'EUR' } }),
      renderJob({ id: 'c', shot: other }),
      renderJob({ id: 'd', shot: null }),
    ]);
    expect(costs).toEqual([
      {
        shotId: 's0',
        code: 'SQ010_SH005',
        renderCost: null,
        jobs: 1,
        listed: [{ amount: 0.08, currency: 'EUR' }],
      },
      {
        shotId: 's1',
        code: 'SQ010_SH010',
        renderCost: { __typename: 'Money', amount: '1.20', currency: 'EUR' },
        jobs: 2,
        listed: [{ amount: 0.3, currency: 'EUR' }],
      },
    ]);
  });
});
