import { useTranslation } from 'react-i18next';
import { DecisionForm } from '@/components/decision-form';
import { useAppStore } from '@/stores/app-store';
import { useReviewVersion } from '../api/use-review-version';

interface VersionReviewFormProps {
  versionId: string;
  number: number;
  taskName: string;
}

/** A comment, then approve or ask for a retake. */
export function VersionReviewForm({ versionId, number, taskName }: VersionReviewFormProps) {
  const { t } = useTranslation();
  const notify = useAppStore((s) => s.notify);
  const { review, reviewing } = useReviewVersion();
  return (
    <DecisionForm
      labels={{
        comment: t('review.comment'),
        approve: t('review.approve'),
        reject: t('review.retake'),
      }}
      failedTitle={t('review.reviewFailed', { number })}
      busy={reviewing}
      onDecide={async (approve, comment) => {
        const failed = await review(versionId, approve, comment);
        if (failed.length === 0) {
          const key = approve ? 'review.approved' : 'review.retakeAsked';
          notify({ kind: 'success', message: t(key, { number, task: taskName }) });
        }
        return failed;
      }}
    />
  );
}
