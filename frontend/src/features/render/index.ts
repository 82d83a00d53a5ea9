export { RenderPage } from './components/render-page';
