import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import { LiveIndicator } from '@/components/live-indicator';
import { Loading } from '@/components/loading';
import { useReviewChanges, useReviewQueuePage } from '../api/use-review-queue';
import { QueueTail } from './review-more';
import { ReviewTask } from './review-task';
import '../review.css';

/** Every task pending review, a page at a time, live. */
export function ReviewPage() {
  const { t } = useTranslation();
  const { event, liveErrors } = useReviewChanges();
  const first = useReviewQueuePage(null, event, false);
  // How many pages after the first the user asked for.
  const [pages, setPages] = useState(0);
  const more = () => {
    setPages((count) => count + 1);
  };
  return (
    <div className="page">
      <header className="page__header">
        <h1>{t('review.title')}</h1>
        {!first.loading && first.errors.length === 0 && <LiveIndicator errors={liveErrors} />}
      </header>
      {first.loading ? (
        <Loading />
      ) : first.errors.length > 0 ? (
        <ErrorNotice errors={first.errors} onRetry={first.retry} />
      ) : first.tasks.length === 0 && first.nextCursor === null ? (
        <p>{t('review.empty')}</p>
      ) : (
        <div className="review-list">
          {first.tasks.map((task) => (
            <ReviewTask key={task.id} task={task} />
          ))}
          <QueueTail
            after={first.nextCursor}
            pages={pages}
            shown={first.tasks.length}
            left={first.left}
            total={first.totalCount}
            event={event}
            held={first.held}
            onMore={more}
          />
        </div>
      )}
    </div>
  );
}
