import { useTranslation } from 'react-i18next';
import type { LeaveType } from '@/gql/graphql';

interface Balance {
  year: number;
  type: LeaveType;
  allocated: number;
  used: number;
  remaining: number;
}

interface LeaveBalancesProps {
  balances: readonly Balance[];
  /** The year asked for, named in the heading even when it has no allocation. */
  year?: number;
}

/** Allocation, days used (approved or pending) and days left, per leave type with an allocation. */
export function LeaveBalances({ balances, year: asked }: LeaveBalancesProps) {
  const { t } = useTranslation();
  const year = balances[0]?.year ?? asked;
  return (
    <section className="people-card people-balances" aria-labelledby="leave-balances">
      <h2 id="leave-balances">
        {year ? t('people.leave.balancesOf', { year }) : t('people.leave.balances')}
      </h2>
      {balances.length === 0 ? (
        <p className="muted">{t('people.leave.noBalances')}</p>
      ) : (
        <ul>
          {balances.map((balance) => (
            <li key={balance.type} data-testid="leave-balance" data-type={balance.type}>
              <strong>{t(`people.leaveType.${balance.type}`)}</strong>{' '}
              {t('people.leave.remaining', { count: balance.remaining })}
              <span className="muted">
                {' '}
                {t('people.leave.usedOf', { used: balance.used, allocated: balance.allocated })}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
