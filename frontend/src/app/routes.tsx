import { useTranslation } from 'react-i18next';
import { Link, Redirect, Route, Switch } from 'wouter';
import { ApprovalsPage, MyLeavePage, PeopleRoutes } from '@/features/people';
import { ProjectsPage } from '@/features/projects';
import { RenderPage } from '@/features/render';
import { MyTasksPage } from '@/features/tasks';
import { ReviewPage } from '@/features/review';
import type { SessionUser } from '@/lib/auth-api';
import { canSee, homePathFor, NAV_ITEMS } from './navigation';

const PAGES: Record<string, () => React.JSX.Element> = {
  '/tasks': MyTasksPage,
  '/review': ReviewPage,
  '/projects': ProjectsPage,
  '/render': RenderPage,
  '/leave': MyLeavePage,
  '/approvals': ApprovalsPage,
  '/people': PeopleRoutes,
};

function NotFound({ home }: { home: string | null }) {
  const { t } = useTranslation();
  return (
    <div className="page">
      <p>{home ? t('app.notFound') : t('app.noPages')}</p>
      {home && <Link href={home}>{t('app.backHome')}</Link>}
    </div>
  );
}

/** Only the pages the viewer's roles allow are routed; anything else is "not found". */
export function AppRoutes({ user }: { user: SessionUser }) {
  const home = homePathFor(user);
  const pages = NAV_ITEMS.filter((item) => canSee(item, user));
  return (
    <Switch>
      <Route path="/">{home ? <Redirect to={home} replace /> : <NotFound home={null} />}</Route>
      {pages.map((item) => (
        <Route key={item.path} path={item.path} component={PAGES[item.path]} nest />
      ))}
      <Route>
        <NotFound home={home} />
      </Route>
    </Switch>
  );
}
