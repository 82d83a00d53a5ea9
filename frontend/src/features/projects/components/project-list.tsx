import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { ErrorNotice } from '@/components/error-notice';
import { Loading } from '@/components/loading';
import { useProjectsPage } from '../api/use-projects';
import '../projects.css';

interface ProjectRowsProps {
  after: string | null;
  last: boolean;
  onMore: (cursor: string) => void;
}

/** One page of projects; the last page offers the next. */
function ProjectRows({ after, last, onMore }: ProjectRowsProps) {
  const { t } = useTranslation();
  const { projects, totalCount, nextCursor, loading, errors, retry } = useProjectsPage(after);
  if (loading) return <Loading />;
  if (errors.length > 0) return <ErrorNotice errors={errors} onRetry={retry} />;
  if (after === null && totalCount === 0) return <p>{t('projects.empty')}</p>;
  return (
    <>
      <ul className="project-list">
        {projects.map((project) => (
          <li key={project.id} className="project-list__item" data-project-code={project.code}>
            <Link href={`/${project.id}`} className="project-list__link">
              <span className="project-list__code">{project.code}</span> {project.name}
            </Link>
            <span className={`badge badge--${project.status.toLowerCase()}`}>
              {t(`projects.projectStatus.${project.status}`)}
            </span>
            <span className="project-list__meta">
              {t('projects.shotCount', { count: project.shots.totalCount })} ·{' '}
              {t('projects.assetCount', { count: project.assets.totalCount })}
              {project.supervisor && (
                <> · {t('projects.supervisedBy', { name: project.supervisor.displayName })}</>
              )}
              {project.autoRender && <> · {t('projects.autoRender')}</>}
            </span>
          </li>
        ))}
      </ul>
      {last && nextCursor && (
        <button
          type="button"
          className="button"
          onClick={() => {
            onMore(nextCursor);
          }}
        >
          {t('projects.moreProjects')}
        </button>
      )}
    </>
  );
}

/** The tenant's projects by code, a page at a time. */
export function ProjectList() {
  const { t } = useTranslation();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const more = (cursor: string) => {
    setCursors((current) => [...current, cursor]);
  };
  return (
    <div className="page">
      <header className="page__header">
        <h1>{t('projects.title')}</h1>
      </header>
      {cursors.map((after, index) => (
        <ProjectRows
          key={after ?? 'first'}
          after={after}
          last={index === cursors.length - 1}
          onMore={more}
        />
      ))}
    </div>
  );
}
