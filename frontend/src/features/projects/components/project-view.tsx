import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { ErrorNotice } from '@/components/error-notice';
import { LiveIndicator } from '@/components/live-indicator';
import { Loading } from '@/components/loading';
import { useProject } from '../api/use-project';
import { useProjectsUi } from '../stores/projects-ui-store';
import { AtRiskSummary } from './at-risk-summary';
import { AssetsSection, ShotsSection } from './project-sections';
import '../projects.css';

/** One project: its shots and assets with their tasks, assignees, versions and render jobs. */
export function ProjectView({ id }: { id: string }) {
  const { t } = useTranslation();
  const filterId = useId();
  const { project, atRisk, atRiskCount, found, loading, errors, liveErrors, retry } =
    useProject(id);
  const atRiskOnly = useProjectsUi((s) => s.atRiskOnly);
  const setAtRiskOnly = useProjectsUi((s) => s.setAtRiskOnly);

  const back = (
    <Link href="/" className="project-view__back">
      {t('projects.backToList')}
    </Link>
  );
  if (loading) return <Loading />;
  if (errors.length > 0) {
    return (
      <div className="page">
        {back}
        <ErrorNotice errors={errors} onRetry={retry} />
      </div>
    );
  }
  if (!found || !project) {
    return (
      <div className="page">
        {back}
        <p>{t('projects.notFound')}</p>
      </div>
    );
  }
  return (
    <div className="page project-view">
      {back}
      <header className="page__header">
        <h1>
          {project.code} · {project.name}
        </h1>
        <span className={`badge badge--${project.status.toLowerCase()}`}>
          {t(`projects.projectStatus.${project.status}`)}
        </span>
        <LiveIndicator errors={liveErrors} />
      </header>
      <p className="project-view__meta">
        {project.supervisor
          ? t('projects.supervisedBy', { name: project.supervisor.displayName })
          : t('projects.noSupervisor')}
        {project.autoRender && <> · {t('projects.autoRender')}</>}
      </p>
      <AtRiskSummary tasks={atRisk} totalCount={atRiskCount} />
      <p className="project-view__filter">
        <input
          id={filterId}
          type="checkbox"
          checked={atRiskOnly}
          onChange={(e) => {
            setAtRiskOnly(e.target.checked);
          }}
        />
        <label htmlFor={filterId}>{t('projects.atRiskOnly')}</label>
      </p>
      <ShotsSection projectId={project.id} firstPage={project.shots} />
      <AssetsSection projectId={project.id} firstPage={project.assets} />
    </div>
  );
}
