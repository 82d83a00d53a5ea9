import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import type { ApiError } from '@/lib/api-error';
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
  const id = useId();
  const notify = useAppStore((s) => s.notify);
  const { review, reviewing } = useReviewVersion();
  const [comment, setComment] = useState('');
  const [errors, setErrors] = useState<ApiError[]>([]);

  const decide = async (approve: boolean) => {
    const failed = await review(versionId, approve, comment);
    setErrors(failed);
    if (failed.length === 0) {
      const key = approve ? 'review.approved' : 'review.retakeAsked';
      notify({ kind: 'success', message: t(key, { number, task: taskName }) });
      setComment('');
    }
  };

  return (
    <form
      className="review-form"
      onSubmit={(e) => {
        e.preventDefault();
      }}
    >
      <label htmlFor={`${id}-comment`}>{t('review.comment')}</label>
      <textarea
        id={`${id}-comment`}
        rows={2}
        value={comment}
        onChange={(e) => {
          setComment(e.target.value);
        }}
      />
      <ErrorNotice errors={errors} title={t('review.reviewFailed', { number })} />
      <div className="review-form__actions">
        <button
          type="button"
          className="button button--primary"
          disabled={reviewing}
          onClick={() => {
            void decide(true);
          }}
        >
          {t('review.approve')}
        </button>
        <button
          type="button"
          className="button"
          disabled={reviewing}
          onClick={() => {
            void decide(false);
          }}
        >
          {t('review.retake')}
        </button>
      </div>
    </form>
  );
}
