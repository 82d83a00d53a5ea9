import type { LeaveType } from '@/gql/graphql';

/** The kinds of leave, in the order the form offers them. */
export const LEAVE_TYPES: readonly LeaveType[] = ['VACATION', 'SICK', 'UNPAID', 'OTHER'];

/** Why a period cannot be requested (the server's rules, checked before sending), or null. */
export type PeriodProblem = 'endBeforeStart' | 'spansYears';

export function periodProblem(startDate: string, endDate: string): PeriodProblem | null {
  if (endDate < startDate) return 'endBeforeStart';
  if (startDate.slice(0, 4) !== endDate.slice(0, 4)) return 'spansYears';
  return null;
}
