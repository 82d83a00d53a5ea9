import type { RenderJobStatus } from '@/gql/graphql';
import type { Role } from '@/lib/auth-api';

/** Roles that may manage any job of the tenant (render's OPERATORS); others only their own. */
export const OPERATOR_ROLES: readonly Role[] = ['RENDER_WRANGLER', 'SUPERVISOR', 'ADMIN'];

export type JobAction = 'pause' | 'resume' | 'cancel' | 'retry' | 'priority';

export interface JobViewer {
  roles: readonly Role[];
  employeeId: string | null;
}

interface ManagedJob {
  status: RenderJobStatus;
  submittedBy: { id: string } | null;
}

const UNFINISHED: readonly RenderJobStatus[] = ['QUEUED', 'RUNNING', 'PAUSED'];

export function isOperator(viewer: JobViewer): boolean {
  return viewer.roles.some((role) => OPERATOR_ROLES.includes(role));
}

/** Whether the server lets `viewer` change `job` at all: an operator, or its submitter. */
export function mayManage(job: ManagedJob, viewer: JobViewer): boolean {
  if (isOperator(viewer)) return true;
  return viewer.employeeId !== null && job.submittedBy?.id === viewer.employeeId;
}

/**
 * The actions the server accepts for this job now, in button order: pause (QUEUED/RUNNING),
 * resume (PAUSED), cancel (unfinished), retry (FAILED), priority (unfinished: the server takes
 * it on any job, but it only matters to one still scheduled).
 */
export function jobActions(job: ManagedJob, viewer: JobViewer): JobAction[] {
  if (!mayManage(job, viewer)) return [];
  const actions: JobAction[] = [];
  if (job.status === 'QUEUED' || job.status === 'RUNNING') actions.push('pause');
  if (job.status === 'PAUSED') actions.push('resume');
  if (UNFINISHED.includes(job.status)) actions.push('cancel');
  if (job.status === 'FAILED') actions.push('retry');
  if (UNFINISHED.includes(job.status)) actions.push('priority');
  return actions;
}

/** Percentage of chunks done (0 for a job without chunks). */
export function progressPercent({ done, total }: { done: number; total: number }): number {
  return total > 0 ? Math.round((done / total) * 100) : 0;
}

/** Statuses the queue filter stands for (null: every status). */
export const STATUS_FILTERS = {
  all: null,
  active: ['QUEUED', 'RUNNING', 'PAUSED'],
  failed: ['FAILED'],
  finished: ['SUCCEEDED', 'CANCELLED'],
} as const satisfies Record<string, readonly RenderJobStatus[] | null>;

export type StatusFilter = keyof typeof STATUS_FILTERS;

export function matchesFilter(status: RenderJobStatus, filter: StatusFilter): boolean {
  const statuses: readonly RenderJobStatus[] | null = STATUS_FILTERS[filter];
  return statuses === null || statuses.includes(status);
}

interface CostedJob {
  cost: { amount: string; currency: string };
  shot: {
    id: string;
    code: string;
    renderCost: { amount: string; currency: string } | null;
  } | null;
}

export interface ShotCost {
  shotId: string;
  code: string;
  /** The shot's cost over all its jobs, as the server counts it. */
  renderCost: { amount: string; currency: string } | null;
  /** The listed jobs of the shot. */
  jobs: number;
  /** What the listed jobs cost, per currency. */
  listed: { amount: number; currency: string }[];
}

/** The listed jobs grouped by shot (jobs without a shot are left out), by shot code. */
export function costsByShot(jobs: readonly CostedJob[]): ShotCost[] {
  const byShot = new Map<string, ShotCost>();
  for (const job of jobs) {
    if (!job.shot) continue;
    const entry = byShot.get(job.shot.id) ?? {
      shotId: job.shot.id,
      code: job.shot.code,
      renderCost: job.shot.renderCost,
      jobs: 0,
      listed: [],
    };
    entry.jobs += 1;
    const sum = entry.listed.find((s) => s.currency === job.cost.currency);
    // Cents, so sums of two-decimal strings stay exact.
    const cents = Math.round(Number(job.cost.amount) * 100);
    if (sum) sum.amount += cents;
    else entry.listed.push({ amount: cents, currency: job.cost.currency });
    byShot.set(job.shot.id, entry);
  }
  return [...byShot.values()]
    .map((entry) => ({
      ...entry,
      listed: entry.listed.map((s) => ({ amount: s.amount / 100, currency: s.currency })),
    }))
    .sort((a, b) => a.code.localeCompare(b.code));
}
