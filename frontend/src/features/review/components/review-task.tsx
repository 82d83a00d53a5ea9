import { useTranslation } from 'react-i18next';
import type { ReviewTaskFieldsFragment } from '@/gql/graphql';
import { VersionReviewForm } from './version-review-form';

type Version = ReviewTaskFieldsFragment['versions'][number];

function VersionItem({ version, taskName }: { version: Version; taskName: string }) {
  const { t } = useTranslation();
  return (
    <li className="version" data-testid="version" data-version-number={version.number}>
      <p className="version__head">
        <strong>{t('review.version', { number: version.number })}</strong>{' '}
        <span className={`badge badge--${version.status.toLowerCase()}`}>
          {t(`review.versionStatus.${version.status}`)}
        </span>{' '}
        {version.createdBy && t('review.by', { name: version.createdBy.displayName })}{' '}
        <time dateTime={version.createdAt}>
          {t('review.publishedAt', {
            date: new Date(version.createdAt),
            formatParams: { date: { dateStyle: 'medium', timeStyle: 'short' } },
          })}
        </time>
      </p>
      <p className="version__path">
        <code>{version.path}</code>
        {version.frameStart !== null && version.frameEnd !== null && (
          <> · {t('review.frames', { start: version.frameStart, end: version.frameEnd })}</>
        )}
      </p>
      <p className="version__comment">{version.comment ?? t('review.noComment')}</p>
      {version.status === 'PENDING_REVIEW' && (
        <VersionReviewForm versionId={version.id} number={version.number} taskName={taskName} />
      )}
    </li>
  );
}

/** The id of a task's heading: focusable (tabindex -1), for moving the focus to a task. */
export function reviewTitleId(taskId: string) {
  return `review-${taskId}`;
}

/** One task in review: where it is, who did it, and its versions, newest first. */
export function ReviewTask({ task }: { task: ReviewTaskFieldsFragment }) {
  const { t } = useTranslation();
  const titleId = reviewTitleId(task.id);
  const context = [task.project?.code, task.shot?.code ?? task.asset?.code]
    .filter((part): part is string => Boolean(part))
    .join(' · ');
  const versions = [...task.versions].sort((a, b) => b.number - a.number);
  return (
    <article className="review-task" aria-labelledby={titleId} data-testid="review-task">
      <header>
        <h2 id={titleId} tabIndex={-1}>
          {task.name}
        </h2>
        <p className="review-task__context">
          {context}
          {task.assignee && <> · {task.assignee.displayName}</>}
        </p>
      </header>
      <ul className="review-task__versions" aria-label={t('review.versions', { task: task.name })}>
        {versions.map((version) => (
          <VersionItem key={version.id} version={version} taskName={task.name} />
        ))}
      </ul>
    </article>
  );
}
