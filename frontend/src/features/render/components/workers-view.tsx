import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import { Loading } from '@/components/loading';
import { useRenderWorkers } from '../api/use-render-workers';
import { dateTimeParams } from '../format';
import { useRenderUi } from '../stores/render-ui-store';

/** The tenant's render nodes by hostname, with a pool filter; refreshed periodically. */
export function WorkersView() {
  const { t } = useTranslation();
  const id = useId();
  const { workers, loading, refreshing, errors, refresh } = useRenderWorkers();
  const pool = useRenderUi((s) => s.workerPool);
  const setPool = useRenderUi((s) => s.setWorkerPool);
  const pools = [...new Set(workers.map((w) => w.pool))].sort();
  const shown = pool === null ? workers : workers.filter((w) => w.pool === pool);

  if (loading) return <Loading />;
  if (errors.length > 0) return <ErrorNotice errors={errors} onRetry={refresh} />;
  return (
    <>
      <div className="render-toolbar">
        <label htmlFor={`${id}-pool`}>{t('render.pool')}</label>
        <select
          id={`${id}-pool`}
          value={pool ?? ''}
          onChange={(e) => {
            setPool(e.target.value === '' ? null : e.target.value);
          }}
        >
          <option value="">{t('render.allPools')}</option>
          {pools.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button button--small"
          disabled={refreshing}
          onClick={refresh}
        >
          {t('render.refresh')}
        </button>
      </div>
      {shown.length === 0 ? (
        <p>{t('render.noWorkers')}</p>
      ) : (
        <div className="render-table__scroll">
          <table className="render-table">
            <caption className="visually-hidden">{t('render.workersCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('render.hostname')}</th>
                <th scope="col">{t('render.pool')}</th>
                <th scope="col">{t('render.cores')}</th>
                <th scope="col">{t('render.workerStatus')}</th>
                <th scope="col">{t('render.lastHeartbeat')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((worker) => (
                <tr key={worker.id} data-worker={worker.hostname}>
                  <th scope="row">{worker.hostname}</th>
                  <td>{worker.pool}</td>
                  <td>{worker.cores}</td>
                  <td>
                    <span className={`badge badge--worker-${worker.status.toLowerCase()}`}>
                      {t(`render.workerStatuses.${worker.status}`)}
                    </span>
                  </td>
                  <td>
                    {worker.lastHeartbeatAt ? (
                      <time dateTime={worker.lastHeartbeatAt}>
                        {t('render.at', dateTimeParams(worker.lastHeartbeatAt))}
                      </time>
                    ) : (
                      t('render.never')
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
