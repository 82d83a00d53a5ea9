import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import { Loading } from '@/components/loading';
import { useRenderWorkers } from '../api/use-render-workers';
import { dateTimeParams } from '../format';
import { useRenderUi } from '../stores/render-ui-store';
import { PoolCard } from './pool-card';

/**
 * The farm's pools (rate, the tenant's use against its quota, queued chunks, capacity) and the
 * tenant's render nodes by hostname, with a pool filter over both; refreshed periodically.
 */
export function WorkersView() {
  const { t } = useTranslation();
  const id = useId();
  const { pools, workers, loading, refreshing, errors, refresh } = useRenderWorkers();
  const pool = useRenderUi((s) => s.workerPool);
  const setPool = useRenderUi((s) => s.setWorkerPool);
  // Every pool of the farm, also those without a worker of the tenant (and the chosen one).
  const poolNames = [
    ...new Set([
      ...pools.map((p) => p.name),
      ...workers.map((w) => w.pool),
      ...(pool === null ? [] : [pool]),
    ]),
  ].sort();
  const shownPools = pool === null ? pools : pools.filter((p) => p.name === pool);
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
          {poolNames.map((name) => (
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
      <section className="render-section" aria-labelledby={`${id}-pools`}>
        <h2 id={`${id}-pools`}>{t('render.poolsHeading')}</h2>
        {shownPools.length === 0 ? (
          <p>{t('render.noPools')}</p>
        ) : (
          <div className="pool-list">
            {shownPools.map((p) => (
              <PoolCard key={p.name} pool={p} />
            ))}
          </div>
        )}
      </section>
      <section className="render-section" aria-labelledby={`${id}-workers`}>
        <h2 id={`${id}-workers`}>{t('render.workersHeading')}</h2>
        {shown.length === 0 ? (
          <p>{pool === null ? t('render.noWorkers') : t('render.noWorkersInPool', { pool })}</p>
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
      </section>
    </>
  );
}
