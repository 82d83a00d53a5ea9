import { Route, Switch } from 'wouter';
import { DirectoryPage } from './directory-page';
import { EmployeePage } from './employee-page';

/** `/people` (nested): the directory, and one page per person. */
export function PeopleRoutes() {
  return (
    <Switch>
      <Route path="/" component={DirectoryPage} />
      <Route path="/:id">{(params) => <EmployeePage id={params.id} />}</Route>
    </Switch>
  );
}
