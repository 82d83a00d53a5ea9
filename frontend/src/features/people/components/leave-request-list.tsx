import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import type { LeaveRequestFieldsFragment } from '@/gql/graphql';
import type { ApiError } from '@/lib/api-error';
import { useAppStore } from '@/stores/app-store';
import { useCancelLeave } from '../api/use-leave-actions';
import { dayParams } from '../format';
import { LeavePeriod } from './leave-period';

function CancelButton({
  request,
  onCancelled,
}: {
  request: LeaveRequestFieldsFragment;
  onCancelled: () => void;
}) {
  const { t } = useTranslation();
  const notify = useAppStore((s) => s.notify);
  const { cancel, cancelling } = useCancelLeave();
  const [errors, setErrors] = useState<ApiError[]>([]);
  const type = t(`people.leaveType.${request.type}`);
  return (
    <>
      <button
        type="button"
        className="button button--small"
        disabled={cancelling}
        aria-label={t('people.leave.cancelOne', {
          type,
          start: t('people.date', dayParams(request.startDate)),
          end: t('people.date', dayParams(request.endDate)),
        })}
        onClick={() => {
          void cancel(request.id).then((failed) => {
            setErrors(failed);
            if (failed.length === 0) {
              notify({ kind: 'success', message: t('people.leave.cancelled', { type }) });
              onCancelled();
            }
          });
        }}
      >
        {t('people.leave.cancel')}
      </button>
      <ErrorNotice errors={errors} title={t('people.leave.cancelFailed')} />
    </>
  );
}

interface LeaveRequestListProps {
  requests: readonly LeaveRequestFieldsFragment[];
  onCancelled: () => void;
}

/**
 * The viewer's requests, newest start first; a cancel button only where the API says the viewer
 * may cancel (`viewerCanCancel`: pending or approved, and theirs to cancel).
 */
export function LeaveRequestList({ requests, onCancelled }: LeaveRequestListProps) {
  const { t } = useTranslation();
  if (requests.length === 0) return <p className="muted">{t('people.leave.none')}</p>;
  return (
    <ul className="people-leave-list">
      {requests.map((request) => (
        <li
          key={request.id}
          className="people-leave-item"
          data-testid="leave-request"
          data-status={request.status}
        >
          <LeavePeriod request={request} />
          {request.decisionComment && (
            <p className="muted">
              {t('people.leave.decisionComment', { comment: request.decisionComment })}
            </p>
          )}
          {request.viewerCanCancel && <CancelButton request={request} onCancelled={onCancelled} />}
        </li>
      ))}
    </ul>
  );
}
