import { Route, Switch } from 'wouter';
import { ProjectList } from './project-list';
import { ProjectView } from './project-view';

/** `/projects` lists the projects; `/projects/<id>` is one project (routes nested under it). */
export function ProjectsPage() {
  return (
    <Switch>
      <Route path="/">
        <ProjectList />
      </Route>
      <Route path="/:id">{(params) => <ProjectView key={params.id} id={params.id} />}</Route>
    </Switch>
  );
}
