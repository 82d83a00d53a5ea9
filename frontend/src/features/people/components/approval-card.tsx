import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { ErrorNotice } from '@/components/error-notice';
import type { LeaveApprovalsQuery } from '@/gql/graphql';
import type { ApiError } from '@/lib/api-error';
import { useAppStore } from '@/stores/app-store';
import { useDecideLeave } from '../api/use-leave-actions';
import { LeavePeriod } from './leave-period';

export type PendingRequest = LeaveApprovalsQuery['leaveRequests']['nodes'][number];

/**
 * One pending request the viewer may decide (the inbox lists only those with `viewerCanDecide`):
 * who, what, when, then approve or reject with a comment.
 */
export function ApprovalCard({ request }: { request: PendingRequest }) {
  const { t } = useTranslation();
  const id = useId();
  const notify = useAppStore((s) => s.notify);
  const { decide, deciding } = useDecideLeave();
  const [comment, setComment] = useState('');
  const [errors, setErrors] = useState<ApiError[]>([]);
  const name = request.employee?.displayName ?? t('people.unknownEmployee');
  const context = [request.employee?.title, request.employee?.department?.name]
    .filter((part): part is string => Boolean(part))
    .join(' · ');

  const submit = async (approve: boolean) => {
    const failed = await decide(request.id, approve, comment);
    setErrors(failed);
    if (failed.length === 0) {
      const key = approve ? 'people.approvals.approved' : 'people.approvals.rejected';
      notify({ kind: 'success', message: t(key, { name }) });
    }
  };

  return (
    <li
      className="people-approval"
      aria-labelledby={`${id}-who`}
      data-testid="approval"
      data-request-id={request.id}
    >
      <h2 id={`${id}-who`}>
        {request.employee ? <Link href={`/people/${request.employee.id}`}>{name}</Link> : name}
      </h2>
      {context && <p className="muted">{context}</p>}
      <LeavePeriod request={request} />
      <form
        className="review-form"
        onSubmit={(e) => {
          e.preventDefault();
        }}
      >
        <label htmlFor={`${id}-comment`}>{t('people.approvals.comment')}</label>
        <textarea
          id={`${id}-comment`}
          rows={2}
          value={comment}
          onChange={(e) => {
            setComment(e.target.value);
          }}
        />
        <ErrorNotice errors={errors} title={t('people.approvals.failed', { name })} />
        <div className="review-form__actions">
          <button
            type="button"
            className="button button--primary"
            disabled={deciding}
            onClick={() => {
              void submit(true);
            }}
          >
            {t('people.approvals.approve')}
          </button>
          <button
            type="button"
            className="button"
            disabled={deciding}
            onClick={() => {
              void submit(false);
            }}
          >
            {t('people.approvals.reject')}
          </button>
        </div>
      </form>
    </li>
  );
}
