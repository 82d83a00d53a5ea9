/** A `Money` value (or a summed amount) as i18next's `currency` formatter takes it. */
export function moneyParams(money: { amount: string | number; currency: string }) {
  return {
    amount: Number(money.amount),
    formatParams: { amount: { currency: money.currency } },
  };
}

/** A `DateTime` for the `datetime` formatter: medium date, short time. */
export function dateTimeParams(value: string) {
  return {
    date: new Date(value),
    formatParams: { date: { dateStyle: 'medium', timeStyle: 'short' } },
  };
}
