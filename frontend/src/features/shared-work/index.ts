export { SharedWorkPage } from './components/shared-work-page';
