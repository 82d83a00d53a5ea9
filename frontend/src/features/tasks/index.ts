export { MyTasksPage } from './components/my-tasks-page';
