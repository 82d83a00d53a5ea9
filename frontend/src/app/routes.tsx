import { createElement, lazy, type ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import type { SessionUser } from '@/lib/auth-api';
import { canSee, homePathFor, NAV_ITEMS } from './navigation';
import { PageBoundary, PageLoadError } from './page-boundary';

interface Chunk<M> {
  /** Downloads the chunk once (again after a failure). */
  load: () => Promise<M>;
  /** The chunk's module once downloaded. */
  loaded: () => M | null;
}

function chunk<M>(importer: () => Promise<M>): Chunk<M> {
  let pending: Promise<M> | null = null;
  let module: M | null = null;
  return {
    load: () =>
      (pending ??= importer().then(
        (m) => (module = m),
        (error: unknown) => {
          pending = null;
          throw new PageLoadError(error);
        },
      )),
    loaded: () => module,
  };
}

const tasks = chunk(() => import('@/features/tasks'));
const review = chunk(() => import('@/features/review'));
const projects = chunk(() => import('@/features/projects'));
const render = chunk(() => import('@/features/render'));
// My leave, approvals and people are one feature, so one chunk.
const people = chunk(() => import('@/features/people'));
const sharedWork = chunk(() => import('@/features/shared-work'));

/**
 * A page in its chunk. Once the chunk is there (the session gate preloads it) the page renders
 * at once; only otherwise does it suspend, showing the loading state, and React then holds the
 * page back until the fallback has been up for 300 ms (its fallback throttling), which is why the
 * first page is preloaded rather than left to suspend.
 */
function page<M>(source: Chunk<M>, pick: (module: M) => ComponentType): ComponentType {
  const Lazy = lazy(async () => ({ default: pick(await source.load()) }));
  return function Page() {
    const module = source.loaded();
    return module ? createElement(pick(module)) : <Lazy />;
  };
}

/** Each routed page with its chunk. */
const PAGES: Record<string, { chunk: Chunk<unknown>; Page: ComponentType }> = {
  '/tasks': { chunk: tasks, Page: page(tasks, (m) => m.MyTasksPage) },
  '/review': { chunk: review, Page: page(review, (m) => m.ReviewPage) },
  '/projects': { chunk: projects, Page: page(projects, (m) => m.ProjectsPage) },
  '/render': { chunk: render, Page: page(render, (m) => m.RenderPage) },
  '/leave': { chunk: people, Page: page(people, (m) => m.MyLeavePage) },
  '/approvals': { chunk: people, Page: page(people, (m) => m.ApprovalsPage) },
  '/people': { chunk: people, Page: page(people, (m) => m.PeopleRoutes) },
  '/shared': { chunk: sharedWork, Page: page(sharedWork, (m) => m.SharedWorkPage) },
};

/**
 * Downloads the chunk of the page `pathname` shows (`/`: the viewer's start page, once known);
 * settles when it is there or has failed (the route then shows the failure).
 */
export async function preloadPage(pathname: string, user: SessionUser | null): Promise<void> {
  const target = pathname === '/' && user ? homePathFor(user) : pathname;
  if (!target) return;
  const path = Object.keys(PAGES).find((p) => target === p || target.startsWith(`${p}/`));
  await PAGES[path ?? '']?.chunk.load().catch(() => undefined);
}

function NotFound({ home }: { home: string | null }) {
  const { t } = useTranslation();
  return (
    <div className="page">
      <p>{home ? t('app.notFound') : t('app.noPages')}</p>
      {home && <Link href={home}>{t('app.backHome')}</Link>}
    </div>
  );
}

/**
 * Only the pages the viewer's roles allow are routed; anything else is "not found". Each page is
 * its own chunk, loaded on first visit.
 */
export function AppRoutes({ user }: { user: SessionUser }) {
  const [location] = useLocation();
  const home = homePathFor(user);
  const pages = NAV_ITEMS.filter((item) => canSee(item, user));
  return (
    <Switch>
      <Route path="/">{home ? <Redirect to={home} replace /> : <NotFound home={null} />}</Route>
      {pages.map((item) => {
        const Page = PAGES[item.path]?.Page;
        return (
          Page && (
            <Route key={item.path} path={item.path} nest>
              <PageBoundary resetKey={location}>
                <Page />
              </PageBoundary>
            </Route>
          )
        );
      })}
      <Route>
        <NotFound home={home} />
      </Route>
    </Switch>
  );
}
