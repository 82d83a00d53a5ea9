import { useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import { Loading } from '@/components/loading';
import { useReviewQueuePage, type ReviewEvent } from '../api/use-review-queue';
import { ReviewTask, reviewTitleId } from './review-task';

/**
 * Moves the focus to a page's first task once it is there, when getting it lost the focus (the
 * "Load more" or "Try again" button that asked for it went away): keyboard users go on from there.
 */
function useFocusOnArrival(taskId: string | undefined) {
  const done = useRef(false);
  useEffect(() => {
    if (done.current || taskId === undefined) return;
    done.current = true;
    const active = document.activeElement;
    if (active === null || active === document.body) {
      document.getElementById(reviewTitleId(taskId))?.focus();
    }
  }, [taskId]);
}

interface FooterProps {
  shown: number;
  total: number;
  canLoadMore: boolean;
  onMore: () => void;
}

/** "Showing 50 of 130", and the control that loads the next page while there is one. */
function QueueFooter({ shown, total, canLoadMore, onMore }: FooterProps) {
  const { t } = useTranslation();
  const countId = useId();
  return (
    <div className="review-more" data-testid="review-more">
      <p id={countId} className="review-more__count">
        {t('review.shown', { shown, count: total })}
      </p>
      {canLoadMore && (
        <button type="button" className="button" aria-describedby={countId} onClick={onMore}>
          {t('review.more')}
        </button>
      )}
    </div>
  );
}

export interface QueueTailProps {
  /** Where the pages shown so far ended: the next page's cursor, null when there is none. */
  after: string | null;
  /** How many further pages the user asked for are still to show. */
  pages: number;
  /** Tasks shown by the pages so far. */
  shown: number;
  /** Tasks of the pages so far that left review since their page was fetched. */
  left: number;
  /** `totalCount` of the first page. */
  total: number;
  event: ReviewEvent | null;
  /** Whether a page so far holds the event's task. */
  held: boolean;
  onMore: () => void;
}

/**
 * What follows the pages shown so far: the next page if the user asked for it, else the count and
 * "Load more". Each further page starts after the cursor its previous page ends on now (not the
 * one it ended on when the user asked): when a task entering review refetches the pages and
 * shifts where one ends, the next follows, so no task is shown twice or skipped.
 */
export function QueueTail(props: QueueTailProps) {
  const { after, pages, shown, left, total, onMore } = props;
  if (after !== null && pages > 0) return <MorePage {...props} after={after} />;
  return (
    <QueueFooter
      shown={shown}
      // Every task is shown when there is no next page; else the first page's count, less those
      // that left review since (it is fetched again when one enters).
      total={after === null ? shown : Math.max(shown, total - left)}
      canLoadMore={after !== null}
      onMore={onMore}
    />
  );
}

/** A further page of the queue, then what follows it. */
function MorePage({
  after,
  pages,
  shown,
  left,
  total,
  event,
  held,
  onMore,
}: QueueTailProps & { after: string }) {
  const { t } = useTranslation();
  const page = useReviewQueuePage(after, event, held);
  useFocusOnArrival(page.tasks[0]?.id);
  if (page.loading) return <Loading label={t('review.loadingMore')} />;
  if (page.errors.length > 0) {
    return <ErrorNotice errors={page.errors} title={t('review.moreFailed')} onRetry={page.retry} />;
  }
  return (
    <>
      {page.tasks.map((task) => (
        <ReviewTask key={task.id} task={task} />
      ))}
      <QueueTail
        after={page.nextCursor}
        pages={pages - 1}
        shown={shown + page.tasks.length}
        left={left + page.left}
        total={total}
        event={event}
        held={page.held}
        onMore={onMore}
      />
    </>
  );
}
