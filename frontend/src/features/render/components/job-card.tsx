import { useTranslation } from 'react-i18next';
import type { RenderJobFieldsFragment } from '@/gql/graphql';
import { useAppStore } from '@/stores/app-store';
import { useJobMutations } from '../api/use-job-mutations';
import { jobActions, type JobViewer } from '../job-actions';
import { dateTimeParams, moneyParams } from '../format';
import { PriorityForm } from './priority-form';
import { ProgressBar } from './progress-bar';

function JobActions({ job, viewer }: { job: RenderJobFieldsFragment; viewer: JobViewer }) {
  const { t } = useTranslation();
  const { run, prioritize, busy } = useJobMutations();
  const actions = jobActions(job, viewer);
  if (actions.length === 0) return null;
  const buttons = actions.filter((a) => a !== 'priority');
  return (
    <div className="job-card__actions">
      {buttons.length > 0 && (
        <div role="group" aria-label={t('render.actionsFor', { job: job.name })}>
          {buttons.map((action) => (
            <button
              key={action}
              type="button"
              className={`button button--small${action === 'cancel' ? ' button--danger' : ''}`}
              disabled={busy}
              data-action={action}
              onClick={() => {
                void run(action, job);
              }}
            >
              {t(`render.action.${action}`)}
            </button>
          ))}
        </div>
      )}
      {actions.includes('priority') && (
        <PriorityForm key={job.priority} job={job} busy={busy} onSet={prioritize} />
      )}
    </div>
  );
}

/** One job: what it renders, who sent it, live status and progress, cost, and its actions. */
export function JobCard({ job }: { job: RenderJobFieldsFragment }) {
  const { t } = useTranslation();
  const user = useAppStore((s) => s.user);
  const viewer: JobViewer = { roles: user?.roles ?? [], employeeId: user?.employeeId ?? null };
  const titleId = `job-${job.id}`;
  const context = [job.shot?.code, job.task?.name].filter(Boolean).join(' · ');
  return (
    <article
      className="job-card"
      aria-labelledby={titleId}
      data-testid="job-card"
      data-job-id={job.id}
      data-status={job.status}
    >
      <header className="job-card__header">
        <h2 id={titleId}>{job.name}</h2>
        <span className={`badge badge--job-${job.status.toLowerCase()}`}>
          {t(`render.status.${job.status}`)}
        </span>
      </header>
      <p className="job-card__context">
        {context || t('render.noShot')}
        {job.submittedBy && (
          <> · {t('render.submittedBy', { name: job.submittedBy.displayName })}</>
        )}
      </p>
      <ProgressBar
        done={job.progress.done}
        total={job.progress.total}
        status={job.status}
        label={t('render.progressOf', { job: job.name })}
      />
      <dl className="job-card__facts">
        <div>
          <dt>{t('render.frames')}</dt>
          <dd>
            {t('render.frameRange', {
              start: job.frameStart,
              end: job.frameEnd,
              chunk: job.chunkSize,
            })}
          </dd>
        </div>
        <div>
          <dt>{t('render.pool')}</dt>
          <dd>{job.pool}</dd>
        </div>
        <div>
          <dt>{t('render.priority')}</dt>
          <dd>{job.priority}</dd>
        </div>
        <div>
          <dt>{t('render.cost')}</dt>
          <dd data-testid="job-cost">
            {t('render.money', moneyParams(job.cost))}{' '}
            <span className="job-card__muted">
              {t('render.coreHours', {
                hours: job.coreSeconds / 3600,
                formatParams: { hours: { maximumFractionDigits: 2 } },
              })}
            </span>
          </dd>
        </div>
        {job.shot?.renderCost && (
          <div>
            <dt>{t('render.shotCost', { shot: job.shot.code })}</dt>
            <dd>{t('render.money', moneyParams(job.shot.renderCost))}</dd>
          </div>
        )}
        <div>
          <dt>{t('render.submitted')}</dt>
          <dd>
            <time dateTime={job.createdAt}>{t('render.at', dateTimeParams(job.createdAt))}</time>
          </dd>
        </div>
        {job.finishedAt && (
          <div>
            <dt>{t('render.finished')}</dt>
            <dd>
              <time dateTime={job.finishedAt}>
                {t('render.at', dateTimeParams(job.finishedAt))}
              </time>
            </dd>
          </div>
        )}
      </dl>
      <JobActions job={job} viewer={viewer} />
    </article>
  );
}
