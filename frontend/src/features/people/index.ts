import './people.css';

export { PeopleRoutes } from './components/people-routes';
export { MyLeavePage } from './components/my-leave-page';
export { ApprovalsPage } from './components/approvals-page';
