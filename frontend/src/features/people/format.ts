import { parseDate } from '@/lib/dates';

/** Options for a `Date` scalar shown as a day (`{{date, datetime}}`). */
export function dayParams(value: string) {
  return { date: parseDate(value), formatParams: { date: { dateStyle: 'medium' as const } } };
}

/** A `Money` (decimal string) for `{{amount, number}}`, in its own currency. */
export function moneyParams(money: { amount: string; currency: string }) {
  return {
    amount: Number(money.amount),
    formatParams: { amount: { style: 'currency' as const, currency: money.currency } },
  };
}
