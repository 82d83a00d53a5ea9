import { describe, expect, it } from 'vitest';
import { CombinedError } from 'urql';
import { leaveConflictsOf } from './conflicts';

const refusal = (code: string, details: unknown) =>
  new CombinedError({
    graphQLErrors: [{ message: 'refused', extensions: { code, details } }],
  });

describe('leave conflicts of a refused assignment', () => {
  it('reads extensions.details.conflicts of ASSIGNEE_UNAVAILABLE', () => {
    const error = refusal('ASSIGNEE_UNAVAILABLE', {
      employeeId: 'e1',
      dueDate: '2031-03-06',
      conflicts: [{ start: '2031-03-03', end: '2031-03-07' }, { start: 'bad' }],
    });
    expect(leaveConflictsOf(error)).toEqual([{ start: '2031-03-03', end: '2031-03-07' }]);
  });

  it('has none for other refusals, offboarded people, or success', () => {
    expect(
      leaveConflictsOf(refusal('FORBIDDEN', { conflicts: [{ start: 'a', end: 'b' }] })),
    ).toEqual([]);
    expect(leaveConflictsOf(refusal('ASSIGNEE_UNAVAILABLE', null))).toEqual([]);
    expect(leaveConflictsOf(undefined)).toEqual([]);
  });
});
