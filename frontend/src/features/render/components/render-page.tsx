import type { KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '@/stores/app-store';
import { isOperator } from '../job-actions';
import { useRenderUi, type RenderView } from '../stores/render-ui-store';
import { CostsView } from './costs-view';
import { JobsView } from './jobs-view';
import { WorkersView } from './workers-view';
import '../render.css';

const VIEWS: readonly RenderView[] = ['jobs', 'workers', 'costs'];

/** The render queue: jobs (live), the farm's workers, and cost per shot. */
export function RenderPage() {
  const { t } = useTranslation();
  const user = useAppStore((s) => s.user);
  const view = useRenderUi((s) => s.view);
  const setView = useRenderUi((s) => s.setView);
  const operator = isOperator({ roles: user?.roles ?? [], employeeId: user?.employeeId ?? null });

  // The tabs pattern: one tab in the Tab order, arrows (and Home/End) move between them.
  const onTabKey = (event: KeyboardEvent<HTMLButtonElement>) => {
    const index = VIEWS.indexOf(view);
    const next = {
      ArrowRight: (index + 1) % VIEWS.length,
      ArrowLeft: (index - 1 + VIEWS.length) % VIEWS.length,
      Home: 0,
      End: VIEWS.length - 1,
    }[event.key];
    const name = next === undefined ? undefined : VIEWS[next];
    if (!name) return;
    event.preventDefault();
    setView(name);
    document.getElementById(`render-tab-${name}`)?.focus();
  };

  return (
    <div className="page render-page">
      <header className="page__header">
        <h1>{operator ? t('render.title') : t('render.titleMine')}</h1>
      </header>
      <div className="render-tabs" role="tablist" aria-label={t('render.views')}>
        {VIEWS.map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            id={`render-tab-${name}`}
            aria-selected={view === name}
            tabIndex={view === name ? 0 : -1}
            aria-controls="render-panel"
            className={`render-tabs__tab${view === name ? ' render-tabs__tab--active' : ''}`}
            onClick={() => {
              setView(name);
            }}
            onKeyDown={onTabKey}
          >
            {t(`render.tabs.${name}`)}
          </button>
        ))}
      </div>
      <section
        id="render-panel"
        role="tabpanel"
        tabIndex={0}
        aria-labelledby={`render-tab-${view}`}
      >
        {view === 'jobs' && <JobsView operator={operator} />}
        {view === 'workers' && <WorkersView />}
        {view === 'costs' && <CostsView operator={operator} />}
      </section>
    </div>
  );
}
