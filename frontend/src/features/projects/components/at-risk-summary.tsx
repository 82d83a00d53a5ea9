import { useTranslation } from 'react-i18next';
import { parseDate } from '@/lib/dates';

interface AtRiskTask {
  id: string;
  name: string;
  dueDate: string | null;
  shot: { code: string } | null;
  asset: { code: string } | null;
  assignee: { displayName: string } | null;
}

/** Every at-risk task of the project, whichever page its shot or asset is on. */
export function AtRiskSummary({ tasks, totalCount }: { tasks: AtRiskTask[]; totalCount: number }) {
  const { t } = useTranslation();
  return (
    <section className="at-risk" aria-labelledby="at-risk-title" data-testid="at-risk-summary">
      <h2 id="at-risk-title">{t('projects.atRiskTitle', { count: totalCount })}</h2>
      {tasks.length === 0 ? (
        <p>{t('projects.noAtRisk')}</p>
      ) : (
        <ul>
          {tasks.map((task) => (
            <li key={task.id}>
              <span className="badge badge--risk">{t('projects.atRisk')}</span>
              <strong>{task.name}</strong> · {task.shot?.code ?? task.asset?.code}
              {task.assignee && <> · {task.assignee.displayName}</>}
              {task.dueDate && (
                <>
                  {' '}
                  ·{' '}
                  {t('projects.due', {
                    date: parseDate(task.dueDate),
                    formatParams: { date: { dateStyle: 'medium' } },
                  })}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
