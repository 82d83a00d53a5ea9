import { useTranslation } from 'react-i18next';
import type { LeaveRequestFieldsFragment } from '@/gql/graphql';
import { dayParams } from '../format';

/** Type, status, dates and working days of a request, and its reason. */
export function LeavePeriod({ request }: { request: LeaveRequestFieldsFragment }) {
  const { t } = useTranslation();
  return (
    <>
      <p className="people-leave-item__head">
        <strong>{t(`people.leaveType.${request.type}`)}</strong>{' '}
        <span className={`badge badge--leave-${request.status.toLowerCase()}`}>
          {t(`people.leaveStatus.${request.status}`)}
        </span>
      </p>
      <p>
        {t('people.leave.period', {
          start: t('people.date', dayParams(request.startDate)),
          end: t('people.date', dayParams(request.endDate)),
        })}{' '}
        · {t('people.leave.days', { count: request.days })}
      </p>
      {request.reason && <p className="muted">{request.reason}</p>}
    </>
  );
}
