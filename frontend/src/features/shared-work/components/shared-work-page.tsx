import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import { LiveIndicator } from '@/components/live-indicator';
import { Loading } from '@/components/loading';
import { useAppStore } from '@/stores/app-store';
import { useSharedWork } from '../api/use-shared-work';
import { groupByProject } from '../group';
import { SharedTask } from './shared-task';
import '../shared-work.css';

/**
 * A vendor's landing page: the tasks studios shared with the vendor's tenant, by project,
 * read-only. Live (a newly shared task appears, a change shows in place), except for an unshare,
 * which the API cannot announce to a vendor that no longer sees the task: a refresh button drops
 * such a task, and says so.
 */
export function SharedWorkPage() {
  const { t } = useTranslation();
  const tenantId = useAppStore((s) => s.user?.tenantId ?? null);
  const { tasks, totalCount, hasMore, loading, refreshing, errors, liveErrors, showMore, refresh } =
    useSharedWork();
  const groups = groupByProject(tasks);
  return (
    <div className="page shared-work">
      <header className="page__header">
        <h1>{t('shared.title')}</h1>
        {!loading && errors.length === 0 && <LiveIndicator errors={liveErrors} />}
        {!loading && (
          <button
            type="button"
            className="button button--small"
            onClick={refresh}
            aria-describedby="shared-work-live-hint"
          >
            {refreshing ? t('shared.refreshing') : t('shared.refresh')}
          </button>
        )}
      </header>
      <p className="shared-work__intro">{t('shared.intro')}</p>
      <p className="shared-work__intro" id="shared-work-live-hint">
        {t('shared.liveHint')}
      </p>
      {tenantId && (
        <p className="shared-work__intro">
          {t('shared.tenantId')} <code data-testid="vendor-tenant-id">{tenantId}</code>
        </p>
      )}
      {loading ? (
        <Loading />
      ) : errors.length > 0 ? (
        <ErrorNotice errors={errors} onRetry={refresh} />
      ) : tasks.length === 0 ? (
        <p data-testid="shared-empty">{t('shared.empty')}</p>
      ) : (
        <>
          <p className="shared-work__count">
            {t('shared.count', { count: totalCount, shown: tasks.length })}
          </p>
          {groups.map((group) => {
            const headingId = `shared-project-${group.id || 'none'}`;
            return (
              <section
                key={group.id}
                className="shared-work__project"
                aria-labelledby={headingId}
                data-testid="shared-project"
              >
                <h2 id={headingId}>
                  {group.code
                    ? t('shared.project', { code: group.code, name: group.name ?? '' })
                    : t('shared.noProject')}
                </h2>
                <div className="shared-work__tasks">
                  {group.tasks.map((task) => (
                    <SharedTask key={task.id} task={task} />
                  ))}
                </div>
              </section>
            );
          })}
          {hasMore && (
            <button type="button" className="button" onClick={showMore}>
              {t('shared.more')}
            </button>
          )}
        </>
      )}
    </div>
  );
}
