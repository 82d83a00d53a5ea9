import { useId, useState } from 'react';
import type { ApiError } from '@/lib/api-error';
import { ErrorNotice } from './error-notice';

interface DecisionFormProps {
  /** Labels of the comment field and of the two buttons. */
  labels: { comment: string; approve: string; reject: string };
  /** Title of the error box when a decision is refused. */
  failedTitle: string;
  /** Whether a decision is being sent (both buttons disabled). */
  busy: boolean;
  /** Sends the decision with the comment; resolves with the errors (none on success). */
  onDecide: (approve: boolean, comment: string) => Promise<ApiError[]>;
}

/**
 * A comment, then approve or the opposite (reject, ask for a retake): the review of a version and
 * the decision on a leave request. The errors of a refused decision show with their codes; the
 * comment is cleared once a decision succeeds.
 */
export function DecisionForm({ labels, failedTitle, busy, onDecide }: DecisionFormProps) {
  const id = useId();
  const [comment, setComment] = useState('');
  const [errors, setErrors] = useState<ApiError[]>([]);

  const decide = async (approve: boolean) => {
    const failed = await onDecide(approve, comment);
    setErrors(failed);
    if (failed.length === 0) setComment('');
  };

  return (
    <form
      className="review-form"
      onSubmit={(e) => {
        e.preventDefault();
      }}
    >
      <label htmlFor={`${id}-comment`}>{labels.comment}</label>
      <textarea
        id={`${id}-comment`}
        rows={2}
        value={comment}
        onChange={(e) => {
          setComment(e.target.value);
        }}
      />
      <ErrorNotice errors={errors} title={failedTitle} />
      <div className="review-form__actions">
        <button
          type="button"
          className="button button--primary"
          disabled={busy}
          onClick={() => {
            void decide(true);
          }}
        >
          {labels.approve}
        </button>
        <button
          type="button"
          className="button"
          disabled={busy}
          onClick={() => {
            void decide(false);
          }}
        >
          {labels.reject}
        </button>
      </div>
    </form>
  );
}
