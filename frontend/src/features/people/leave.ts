import type { LeaveStatus, LeaveType } from '@/gql/graphql';

/** The kinds of leave, in the order the form offers them. */
export const LEAVE_TYPES: readonly LeaveType[] = ['VACATION', 'SICK', 'UNPAID', 'OTHER'];

/** Requests the server lets their employee cancel. */
export function isCancellable(status: LeaveStatus): boolean {
  return status === 'PENDING' || status === 'APPROVED';
}

/** Why a period cannot be requested (the server's rules, checked before sending), or null. */
export type PeriodProblem = 'endBeforeStart' | 'spansYears';

export function periodProblem(startDate: string, endDate: string): PeriodProblem | null {
  if (endDate < startDate) return 'endBeforeStart';
  if (startDate.slice(0, 4) !== endDate.slice(0, 4)) return 'spansYears';
  return null;
}

interface Decidable {
  status: LeaveStatus;
  employee: { id: string } | null;
}

/**
 * The requests waiting for the viewer's decision: pending, and not their own (the API refuses a
 * decision on one's own leave). The API lists only what the viewer may see: HR everything, a
 * manager their reports' and their own.
 */
export function awaitingDecision<T extends Decidable>(
  requests: readonly T[],
  viewerEmployeeId: string | null,
): T[] {
  return requests.filter(
    (request) =>
      request.status === 'PENDING' &&
      (viewerEmployeeId === null || request.employee?.id !== viewerEmployeeId),
  );
}
