import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import { LiveIndicator } from '@/components/live-indicator';
import { Loading } from '@/components/loading';
import { useAppStore } from '@/stores/app-store';
import { useApprovals } from '../api/use-approvals';
import { useLeaveEvents } from '../api/use-leave-events';
import { ApprovalCard } from './approval-card';

/** Roles the API sends HR's events to (the inbox is live for them). */
const HR_EVENT_ROLES = ['HR_MANAGER', 'ADMIN'] as const;

/**
 * Pending leave the API lets the viewer decide (a manager: their reports'; HR: everyone else's),
 * to approve or reject with a comment.
 */
export function ApprovalsPage() {
  const { t } = useTranslation();
  const user = useAppStore((s) => s.user);
  const live = HR_EVENT_ROLES.some((role) => user?.roles.includes(role));
  const { requests, loading, errors, refresh } = useApprovals();
  const { liveErrors } = useLeaveEvents(live, refresh);

  return (
    <div className="page">
      <header className="page__header">
        <h1>{t('people.approvals.title')}</h1>
        {!loading && errors.length === 0 && live && <LiveIndicator errors={liveErrors} />}
        <button type="button" className="button button--small" onClick={refresh}>
          {t('people.approvals.refresh')}
        </button>
      </header>
      {loading ? (
        <Loading />
      ) : errors.length > 0 ? (
        <ErrorNotice errors={errors} onRetry={refresh} />
      ) : requests.length === 0 ? (
        <p>{t('people.approvals.empty')}</p>
      ) : (
        <ul className="people-approvals">
          {requests.map((request) => (
            <ApprovalCard key={request.id} request={request} />
          ))}
        </ul>
      )}
    </div>
  );
}
