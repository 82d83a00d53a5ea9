import { describe, expect, it } from 'vitest';
import { isOverdue, parseDate, today } from './dates';

describe('dates', () => {
  it('parses a Date scalar as that local calendar day', () => {
    const date = parseDate('2026-03-09');
    expect([date.getFullYear(), date.getMonth(), date.getDate()]).toEqual([2026, 2, 9]);
  });

  it('formats today and compares due dates by day', () => {
    const now = new Date(2026, 10, 21, 23, 30);
    expect(today(now)).toBe('2026-11-21');
    expect(isOverdue('2026-11-20', now)).toBe(true);
    expect(isOverdue('2026-11-21', now)).toBe(false);
    expect(isOverdue(null, now)).toBe(false);
  });
});
