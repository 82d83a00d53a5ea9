import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { DecisionForm } from '@/components/decision-form';
import type { LeaveApprovalsQuery } from '@/gql/graphql';
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
  const name = request.employee?.displayName ?? t('people.unknownEmployee');
  const context = [request.employee?.title, request.employee?.department?.name]
    .filter((part): part is string => Boolean(part))
    .join(' · ');

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
      <DecisionForm
        labels={{
          comment: t('people.approvals.comment'),
          approve: t('people.approvals.approve'),
          reject: t('people.approvals.reject'),
        }}
        failedTitle={t('people.approvals.failed', { name })}
        busy={deciding}
        onDecide={async (approve, comment) => {
          const failed = await decide(request.id, approve, comment);
          if (failed.length === 0) {
            const key = approve ? 'people.approvals.approved' : 'people.approvals.rejected';
            notify({ kind: 'success', message: t(key, { name }) });
          }
          return failed;
        }}
      />
    </li>
  );
}
