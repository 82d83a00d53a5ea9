/** A `Money` value as i18next's `currency` formatter takes it. */
export function moneyParams(money: { amount: string; currency: string }) {
  return {
    amount: Number(money.amount),
    formatParams: { amount: { currency: money.currency } },
  };
}

/** The newest version of a task (versions come by number). */
export function latestVersion<V extends { number: number }>(versions: readonly V[]): V | null {
  return versions.reduce<V | null>(
    (latest, v) => (!latest || v.number > latest.number ? v : latest),
    null,
  );
}
