import { describe, expect, it } from 'vitest';
import { awaitingDecision, isCancellable, periodProblem } from './leave';

describe('leave rules', () => {
  it('lets pending and approved requests be cancelled only', () => {
    expect(isCancellable('PENDING')).toBe(true);
    expect(isCancellable('APPROVED')).toBe(true);
    expect(isCancellable('REJECTED')).toBe(false);
    expect(isCancellable('CANCELLED')).toBe(false);
  });

  it('refuses a period that ends before it starts or spans two years', () => {
    expect(periodProblem('2026-12-01', '2026-12-01')).toBeNull();
    expect(periodProblem('2026-12-02', '2026-12-01')).toBe('endBeforeStart');
    expect(periodProblem('2026-12-30', '2027-01-02')).toBe('spansYears');
  });

  it('leaves the viewer’s own and decided requests out of the inbox', () => {
    const requests = [
      { id: 'a', status: 'PENDING' as const, employee: { id: 'me' } },
      { id: 'b', status: 'PENDING' as const, employee: { id: 'report' } },
      { id: 'c', status: 'APPROVED' as const, employee: { id: 'report' } },
      { id: 'd', status: 'PENDING' as const, employee: null },
    ];
    expect(awaitingDecision(requests, 'me').map((r) => r.id)).toEqual(['b', 'd']);
    expect(awaitingDecision(requests, null).map((r) => r.id)).toEqual(['a', 'b', 'd']);
  });
});
