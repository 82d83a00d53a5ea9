import type { CombinedError } from 'urql';

/** A period of approved leave that makes someone unavailable for a task. */
export interface LeaveConflict {
  start: string;
  end: string;
}

function isConflict(value: unknown): value is LeaveConflict {
  if (typeof value !== 'object' || value === null) return false;
  const { start, end } = value as Record<string, unknown>;
  return typeof start === 'string' && typeof end === 'string';
}

/**
 * The leave periods of an ASSIGNEE_UNAVAILABLE refusal (`extensions.details.conflicts`), in the
 * order the server gave them; empty for any other failure.
 */
export function leaveConflictsOf(error: CombinedError | undefined): LeaveConflict[] {
  if (!error) return [];
  return error.graphQLErrors.flatMap((e) => {
    if (e.extensions.code !== 'ASSIGNEE_UNAVAILABLE') return [];
    const details = e.extensions.details as { conflicts?: unknown } | null | undefined;
    const conflicts = details?.conflicts;
    return Array.isArray(conflicts) ? conflicts.filter(isConflict) : [];
  });
}
