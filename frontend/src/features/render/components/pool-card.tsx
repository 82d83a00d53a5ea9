import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { RenderFarmQuery } from '@/gql/graphql';
import { moneyParams } from '../format';

export type RenderPool = RenderFarmQuery['renderPools'][number];

/** The share of its quota the tenant uses, 0–100 (a quota of 0 is full as soon as anything runs). */
export function quotaPercent(running: number, quota: number): number {
  if (quota <= 0) return running > 0 ? 100 : 0;
  return Math.min(100, Math.round((running / quota) * 100));
}

/** The tenant's running cores against its quota in the pool, as an accessible meter. */
function QuotaMeter({ pool, quota }: { pool: RenderPool; quota: number }) {
  const { t } = useTranslation();
  const running = pool.runningCores;
  const full = running >= quota;
  const text = t('render.quotaUse', { running, quota });
  return (
    <div className="progress">
      <div
        className={`progress__track${full ? ' progress__track--full' : ''}`}
        role="meter"
        aria-label={t('render.quotaUseOf', { pool: pool.name })}
        aria-valuemin={0}
        aria-valuemax={quota}
        aria-valuenow={Math.min(running, quota)}
        aria-valuetext={text}
      >
        <div className="progress__bar" style={{ width: `${quotaPercent(running, quota)}%` }} />
      </div>
      <span className="progress__text">{text}</span>
    </div>
  );
}

/** One pool of the farm: its rate, the tenant's use against its quota, queue and capacity. */
export function PoolCard({ pool }: { pool: RenderPool }) {
  const { t } = useTranslation();
  const titleId = useId();
  const quota = pool.quotaCores;
  return (
    <article className="pool-card" aria-labelledby={titleId} data-pool={pool.name}>
      <header className="pool-card__header">
        <h3 id={titleId}>{pool.name}</h3>
        {quota !== null && pool.runningCores >= quota && (
          <span className="badge badge--pool-full">{t('render.atQuota')}</span>
        )}
      </header>
      {quota === null ? (
        <p className="pool-card__use" data-testid="pool-use">
          {t('render.noQuotaUse', { count: pool.runningCores })}
        </p>
      ) : (
        <div className="pool-card__use" data-testid="pool-use">
          <QuotaMeter pool={pool} quota={quota} />
        </div>
      )}
      <dl className="job-card__facts">
        <div>
          <dt>{t('render.rate')}</dt>
          <dd data-testid="pool-rate">
            {t('render.ratePerCoreHour', moneyParams(pool.ratePerCoreHour))}
          </dd>
        </div>
        <div>
          <dt>{t('render.queuedChunks')}</dt>
          <dd data-testid="pool-queued">{t('render.count', { count: pool.queuedTasks })}</dd>
        </div>
        <div>
          <dt>{t('render.yourWorkers')}</dt>
          <dd data-testid="pool-workers">{t('render.count', { count: pool.onlineWorkers })}</dd>
        </div>
        <div>
          <dt>{t('render.capacity')}</dt>
          <dd data-testid="pool-capacity">
            {t('render.coreCount', { count: pool.capacityCores })}
          </dd>
        </div>
      </dl>
    </article>
  );
}
