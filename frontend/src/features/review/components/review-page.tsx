import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import { LiveIndicator } from '@/components/live-indicator';
import { Loading } from '@/components/loading';
import { useReviewQueue } from '../api/use-review-queue';
import { ReviewTask } from './review-task';

export function ReviewPage() {
  const { t } = useTranslation();
  const { tasks, loading, errors, liveErrors, retry } = useReviewQueue();
  return (
    <div className="page">
      <header className="page__header">
        <h1>{t('review.title')}</h1>
        {!loading && errors.length === 0 && <LiveIndicator errors={liveErrors} />}
      </header>
      {loading ? (
        <Loading />
      ) : errors.length > 0 ? (
        <ErrorNotice errors={errors} onRetry={retry} />
      ) : tasks.length === 0 ? (
        <p>{t('review.empty')}</p>
      ) : (
        <div className="review-list">
          {tasks.map((task) => (
            <ReviewTask key={task.id} task={task} />
          ))}
        </div>
      )}
    </div>
  );
}
