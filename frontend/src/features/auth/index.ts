export { LoginPage } from './components/login-page';
export { LogoutButton } from './components/logout-button';
