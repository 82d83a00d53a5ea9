import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProjectTaskFieldsFragment } from '@/gql/graphql';
import { isOverdue, parseDate } from '@/lib/dates';
import { latestVersion } from '../format';
import { useProjectsUi } from '../stores/projects-ui-store';
import { AssignTaskForm } from './assign-task-form';
import { ShareTaskPanel } from './share-task-panel';

const COLUMNS = 6;

function TaskRow({ task }: { task: ProjectTaskFieldsFragment }) {
  const { t } = useTranslation();
  const assigning = useProjectsUi((s) => s.assigningTaskId === task.id);
  const openAssign = useProjectsUi((s) => s.openAssign);
  const sharing = useProjectsUi((s) => s.sharingTaskId === task.id);
  const openShare = useProjectsUi((s) => s.openShare);
  const closeShare = useProjectsUi((s) => s.closeShare);
  const latest = latestVersion(task.versions);
  const overdue = task.status !== 'APPROVED' && isOverdue(task.dueDate);
  return (
    <Fragment>
      <tr data-task-id={task.id}>
        <th scope="row">
          {task.name}
          <span className="task-table__type">{t(`taskType.${task.type}`)}</span>
          {task.sharedWith.length > 0 && (
            <span className="badge" data-testid="shared-badge">
              {t('projects.share.badge', { count: task.sharedWith.length })}
            </span>
          )}
        </th>
        <td>{t(`status.${task.status}`)}</td>
        <td data-testid="assignee">{task.assignee?.displayName ?? t('projects.unassigned')}</td>
        <td>
          {task.dueDate
            ? t('projects.due', {
                date: parseDate(task.dueDate),
                formatParams: { date: { dateStyle: 'medium' } },
              })
            : t('projects.noDueDate')}{' '}
          {task.atRisk && (
            <span className="badge badge--risk" title={t('projects.atRiskHint')}>
              {t('projects.atRisk')}
            </span>
          )}
          {overdue && <span className="badge badge--overdue">{t('projects.overdue')}</span>}
        </td>
        <td>
          {latest
            ? t('projects.latestVersion', {
                number: latest.number,
                status: t(`projects.versionStatus.${latest.status}`),
                count: task.versions.length,
              })
            : t('projects.noVersions')}
        </td>
        <td>
          <button
            type="button"
            className="button button--small"
            aria-expanded={assigning}
            aria-label={t('projects.assignLabel', { task: task.name })}
            onClick={() => {
              openAssign(task.id);
            }}
          >
            {t('projects.assign')}
          </button>{' '}
          <button
            type="button"
            className="button button--small"
            aria-expanded={sharing}
            aria-label={t('projects.share.open', { task: task.name })}
            onClick={() => {
              if (sharing) closeShare();
              else openShare(task.id);
            }}
          >
            {t('projects.share.button')}
          </button>
        </td>
      </tr>
      {assigning && (
        <tr className="task-table__form-row">
          <td colSpan={COLUMNS}>
            <AssignTaskForm task={task} />
          </td>
        </tr>
      )}
      {sharing && (
        <tr className="task-table__form-row">
          <td colSpan={COLUMNS}>
            <ShareTaskPanel task={task} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}

/** Tasks with status, assignee, due date and risk, latest version, and assignment. */
export function TaskTable({
  tasks,
  caption,
}: {
  tasks: readonly ProjectTaskFieldsFragment[];
  caption: string;
}) {
  const { t } = useTranslation();
  const atRiskOnly = useProjectsUi((s) => s.atRiskOnly);
  const shown = atRiskOnly ? tasks.filter((task) => task.atRisk) : tasks;
  if (shown.length === 0) {
    return (
      <p className="task-table__empty">
        {atRiskOnly ? t('projects.noAtRiskHere') : t('projects.noTasks')}
      </p>
    );
  }
  return (
    <div className="task-table__scroll">
      <table className="task-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('projects.col.task')}</th>
            <th scope="col">{t('projects.col.status')}</th>
            <th scope="col">{t('projects.col.assignee')}</th>
            <th scope="col">{t('projects.col.due')}</th>
            <th scope="col">{t('projects.col.versions')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('projects.col.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.map((task) => (
            <TaskRow key={task.id} task={task} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
