import { useCallback, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import { LiveIndicator } from '@/components/live-indicator';
import { Loading } from '@/components/loading';
import type { RenderJobFieldsFragment } from '@/gql/graphql';
import { useMyRenderJobs, useRenderJobUpdates, useRenderQueuePage } from '../api/use-render-jobs';
import { matchesFilter, STATUS_FILTERS, type StatusFilter } from '../job-actions';
import { useRenderUi } from '../stores/render-ui-store';
import { JobCard } from './job-card';

function JobList({ jobs }: { jobs: readonly RenderJobFieldsFragment[] }) {
  return (
    <div className="job-list">
      {jobs.map((job) => (
        <JobCard key={job.id} job={job} />
      ))}
    </div>
  );
}

interface MorePageProps {
  filter: StatusFilter;
  after: string;
  last: boolean;
  onMore: (cursor: string) => void;
}

/** A further page of the queue, after the cursor the previous page ended on. */
function MoreJobs({ filter, after, last, onMore }: MorePageProps) {
  const { t } = useTranslation();
  const { jobs, nextCursor, loading, errors, reexecute } = useRenderQueuePage(filter, after);
  if (loading) return <Loading />;
  if (errors.length > 0) {
    return (
      <ErrorNotice
        errors={errors}
        onRetry={() => {
          reexecute({ requestPolicy: 'network-only' });
        }}
      />
    );
  }
  return (
    <>
      <JobList jobs={jobs} />
      {last && nextCursor && (
        <button
          type="button"
          className="button load-more"
          onClick={() => {
            onMore(nextCursor);
          }}
        >
          {t('render.moreJobs')}
        </button>
      )}
    </>
  );
}

/** The tenant's whole queue, newest first, a page at a time; live. */
function QueueJobs({ filter }: { filter: StatusFilter }) {
  const { t } = useTranslation();
  const [cursors, setCursors] = useState<string[]>([]);
  const more = (cursor: string) => {
    setCursors((current) => (current.includes(cursor) ? current : [...current, cursor]));
  };
  const first = useRenderQueuePage(filter, null);
  const { jobs, reexecute } = first;
  // A job the first page does not hold but belongs on it (new, and in the filter): refetch it.
  const onUnlisted = useCallback(
    (job: RenderJobFieldsFragment) => {
      const oldest = jobs.at(-1);
      const belongs = !oldest || first.nextCursor === null || job.createdAt >= oldest.createdAt;
      if (belongs && matchesFilter(job.status, filter)) {
        reexecute({ requestPolicy: 'network-only' });
      }
    },
    [jobs, first.nextCursor, filter, reexecute],
  );
  const { liveErrors } = useRenderJobUpdates(jobs, onUnlisted);

  return (
    <>
      <div className="render-toolbar__live">
        {!first.loading && first.errors.length === 0 && <LiveIndicator errors={liveErrors} />}
      </div>
      {first.loading ? (
        <Loading />
      ) : first.errors.length > 0 ? (
        <ErrorNotice
          errors={first.errors}
          onRetry={() => {
            reexecute({ requestPolicy: 'network-only' });
          }}
        />
      ) : jobs.length === 0 && cursors.length === 0 ? (
        <p>{t('render.empty')}</p>
      ) : (
        <>
          <p className="render-count">{t('render.jobCount', { count: first.totalCount })}</p>
          <JobList jobs={jobs} />
          {cursors.length === 0 && first.nextCursor && (
            <button
              type="button"
              className="button load-more"
              onClick={() => {
                if (first.nextCursor) more(first.nextCursor);
              }}
            >
              {t('render.moreJobs')}
            </button>
          )}
          {cursors.map((after, index) => (
            <MoreJobs
              key={after}
              filter={filter}
              after={after}
              last={index === cursors.length - 1}
              onMore={more}
            />
          ))}
        </>
      )}
    </>
  );
}

/** The viewer's own jobs (for people who are not render operators); live. */
function MyJobs({ filter }: { filter: StatusFilter }) {
  const { t } = useTranslation();
  const { jobs, employeeId, hasEmployee, loading, errors, reexecute } = useMyRenderJobs(filter);
  const onUnlisted = useCallback(
    (job: RenderJobFieldsFragment) => {
      if (employeeId !== null && job.submittedBy?.id === employeeId) {
        reexecute({ requestPolicy: 'network-only' });
      }
    },
    [employeeId, reexecute],
  );
  const { liveErrors } = useRenderJobUpdates(jobs, onUnlisted, !employeeId);
  if (loading) return <Loading />;
  if (errors.length > 0) {
    return (
      <ErrorNotice
        errors={errors}
        onRetry={() => {
          reexecute({ requestPolicy: 'network-only' });
        }}
      />
    );
  }
  if (!hasEmployee) return <p>{t('render.noEmployee')}</p>;
  return (
    <>
      <div className="render-toolbar__live">
        <LiveIndicator errors={liveErrors} />
      </div>
      <p className="render-count">{t('render.mineHint')}</p>
      {jobs.length === 0 ? <p>{t('render.emptyMine')}</p> : <JobList jobs={jobs} />}
    </>
  );
}

/** Jobs with a status filter: the whole queue for operators, one's own jobs for others. */
export function JobsView({ operator }: { operator: boolean }) {
  const { t } = useTranslation();
  const id = useId();
  const filter = useRenderUi((s) => s.statusFilter);
  const setFilter = useRenderUi((s) => s.setStatusFilter);
  return (
    <>
      <div className="render-toolbar">
        <label htmlFor={`${id}-status`}>{t('render.filter')}</label>
        <select
          id={`${id}-status`}
          value={filter}
          onChange={(e) => {
            setFilter(e.target.value as StatusFilter);
          }}
        >
          {Object.keys(STATUS_FILTERS).map((key) => (
            <option key={key} value={key}>
              {t(`render.filters.${key as StatusFilter}`)}
            </option>
          ))}
        </select>
      </div>
      {operator ? <QueueJobs key={filter} filter={filter} /> : <MyJobs filter={filter} />}
    </>
  );
}
