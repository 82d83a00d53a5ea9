/** A `Date` scalar (`YYYY-MM-DD`) as local midnight, so it formats as the same calendar day. */
export function parseDate(value: string): Date {
  const [year = 0, month = 1, day = 1] = value.split('-').map(Number);
  return new Date(year, month - 1, day);
}

/** Today as a `Date` scalar in local time. */
export function today(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Whether a due date is before today (string comparison is safe for `YYYY-MM-DD`). */
export function isOverdue(dueDate: string | null, now: Date = new Date()): boolean {
  return dueDate !== null && dueDate < today(now);
}
