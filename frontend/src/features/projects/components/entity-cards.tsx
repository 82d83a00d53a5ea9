import { useTranslation } from 'react-i18next';
import type { ProjectAssetFieldsFragment, ProjectShotFieldsFragment } from '@/gql/graphql';
import { moneyParams } from '../format';
import { TaskTable } from './task-table';

type ShotJob = ProjectShotFieldsFragment['renderJobs'][number];

function JobLine({ job }: { job: ShotJob }) {
  const { t } = useTranslation();
  const { done, total } = job.progress;
  return (
    <li className="shot-job" data-job-id={job.id}>
      <span>{job.name}</span>{' '}
      <span className={`badge badge--${job.status.toLowerCase()}`}>
        {t(`projects.jobStatus.${job.status}`)}
      </span>{' '}
      <progress
        max={Math.max(total, 1)}
        value={done}
        aria-label={t('projects.jobProgress', { job: job.name })}
      />{' '}
      <span className="shot-job__meta">
        {t('projects.chunks', { done, total })} · {t('projects.cost', moneyParams(job.cost))}
      </span>
    </li>
  );
}

/** A shot: frames, status, render cost and jobs, then its tasks. */
export function ShotCard({ shot }: { shot: ProjectShotFieldsFragment }) {
  const { t } = useTranslation();
  const titleId = `shot-${shot.id}`;
  return (
    <article className="entity-card" aria-labelledby={titleId} data-shot-code={shot.code}>
      <header className="entity-card__header">
        <h3 id={titleId}>{shot.code}</h3>
        <span className={`badge badge--${shot.status.toLowerCase()}`}>
          {t(`projects.shotStatus.${shot.status}`)}
        </span>
        <span className="entity-card__meta">
          {t('projects.frames', { start: shot.frameStart, end: shot.frameEnd })} ·{' '}
          {shot.renderCost
            ? t('projects.renderCost', moneyParams(shot.renderCost))
            : t('projects.noRenderCost')}
        </span>
      </header>
      {shot.description && <p className="entity-card__description">{shot.description}</p>}
      {shot.renderJobs.length > 0 && (
        <ul className="shot-jobs" aria-label={t('projects.renderJobsOf', { shot: shot.code })}>
          {shot.renderJobs.map((job) => (
            <JobLine key={job.id} job={job} />
          ))}
        </ul>
      )}
      <TaskTable tasks={shot.tasks} caption={t('projects.tasksOf', { name: shot.code })} />
    </article>
  );
}

/** An asset and its tasks. */
export function AssetCard({ asset }: { asset: ProjectAssetFieldsFragment }) {
  const { t } = useTranslation();
  const titleId = `asset-${asset.id}`;
  return (
    <article className="entity-card" aria-labelledby={titleId} data-asset-code={asset.code}>
      <header className="entity-card__header">
        <h3 id={titleId}>
          {asset.code} · {asset.name}
        </h3>
        <span className="badge">{t(`projects.assetType.${asset.type}`)}</span>
      </header>
      <TaskTable tasks={asset.tasks} caption={t('projects.tasksOf', { name: asset.code })} />
    </article>
  );
}
