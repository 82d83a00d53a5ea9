import { describe, expect, it } from 'vitest';
import { periodProblem } from './leave';

describe('leave rules', () => {
  it('refuses a period that ends before it starts or spans two years', () => {
    expect(periodProblem('2026-12-01', '2026-12-01')).toBeNull();
    expect(periodProblem('2026-12-02', '2026-12-01')).toBe('endBeforeStart');
    expect(periodProblem('2026-12-30', '2027-01-02')).toBe('spansYears');
  });
});
