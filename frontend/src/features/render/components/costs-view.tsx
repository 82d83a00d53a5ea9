import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import { Loading } from '@/components/loading';
import type { RenderJobFieldsFragment } from '@/gql/graphql';
import type { ApiError } from '@/lib/api-error';
import { useMyRenderJobs, useRenderQueuePage } from '../api/use-render-jobs';
import { costsByShot } from '../job-actions';
import { moneyParams } from '../format';

interface CostTableProps {
  jobs: readonly RenderJobFieldsFragment[];
  loading: boolean;
  errors: ApiError[];
  onRetry: () => void;
}

/** Per shot: what its renders cost in all (the server's figure) and what the listed jobs cost. */
export function CostTable({ jobs, loading, errors, onRetry }: CostTableProps) {
  const { t } = useTranslation();
  if (loading) return <Loading />;
  if (errors.length > 0) return <ErrorNotice errors={errors} onRetry={onRetry} />;
  const shots = costsByShot(jobs);
  if (shots.length === 0) return <p>{t('render.noCosts')}</p>;
  return (
    <div className="render-table__scroll">
      <table className="render-table">
        <caption className="visually-hidden">{t('render.costsCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('render.shot')}</th>
            <th scope="col">{t('render.jobsListed')}</th>
            <th scope="col">{t('render.listedCost')}</th>
            <th scope="col">{t('render.shotTotal')}</th>
          </tr>
        </thead>
        <tbody>
          {shots.map((shot) => (
            <tr key={shot.shotId} data-shot={shot.code}>
              <th scope="row">{shot.code}</th>
              <td>{shot.jobs}</td>
              <td>{shot.listed.map((m) => t('render.money', moneyParams(m))).join(' + ')}</td>
              <td>{shot.renderCost ? t('render.money', moneyParams(shot.renderCost)) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function QueueCosts() {
  const { jobs, loading, errors, reexecute } = useRenderQueuePage('all', null);
  return (
    <CostTable
      jobs={jobs}
      loading={loading}
      errors={errors}
      onRetry={() => {
        reexecute({ requestPolicy: 'network-only' });
      }}
    />
  );
}

function MyCosts() {
  const { jobs, loading, errors, reexecute } = useMyRenderJobs('all');
  return (
    <CostTable
      jobs={jobs}
      loading={loading}
      errors={errors}
      onRetry={() => {
        reexecute({ requestPolicy: 'network-only' });
      }}
    />
  );
}

/** Cost per shot of the newest jobs (operators) or of one's own jobs. */
export function CostsView({ operator }: { operator: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      <p className="render-count">{operator ? t('render.costsHint') : t('render.costsHintMine')}</p>
      {operator ? <QueueCosts /> : <MyCosts />}
    </>
  );
}
