import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import { Loading } from '@/components/loading';
import { useAppStore } from '@/stores/app-store';
import { useMyLeave } from '../api/use-my-leave';
import { LeaveBalances } from './leave-balances';
import { LeaveRequestForm } from './leave-request-form';
import { LeaveRequestList } from './leave-request-list';

/** The viewer's balances and requests: request leave, cancel one the API lets them cancel. */
export function MyLeavePage() {
  const { t } = useTranslation();
  const employeeId = useAppStore((s) => s.user?.employeeId ?? null);
  return (
    <div className="page">
      <header className="page__header">
        <h1>{t('people.leave.title')}</h1>
      </header>
      {employeeId ? <MyLeave employeeId={employeeId} /> : <p>{t('people.leave.noEmployee')}</p>}
    </div>
  );
}

function MyLeave({ employeeId }: { employeeId: string }) {
  const { t } = useTranslation();
  const { balances, requests, totalCount, loading, errors, refresh } = useMyLeave(employeeId);
  if (loading) return <Loading />;
  if (errors.length > 0) return <ErrorNotice errors={errors} onRetry={refresh} />;
  return (
    <div className="people-leave">
      <div className="people-leave__side">
        <LeaveBalances balances={balances} />
        <LeaveRequestForm onRequested={refresh} />
      </div>
      <section aria-labelledby="my-requests">
        <h2 id="my-requests">
          {t('people.leave.requests')}{' '}
          <span className="muted">{t('people.leave.count', { count: totalCount })}</span>
        </h2>
        <LeaveRequestList requests={requests} onCancelled={refresh} />
      </section>
    </div>
  );
}
