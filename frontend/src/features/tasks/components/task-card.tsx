import { useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TaskStatus } from '@/gql/graphql';
import { isOverdue, parseDate } from '@/lib/dates';
import { taskContext, type BoardTask } from '../board';
import { LogTimeForm } from './log-time-form';

interface TaskCardProps {
  task: BoardTask;
  busy: boolean;
  onMove: (task: BoardTask, to: TaskStatus) => void;
  onDragStart: (task: BoardTask, event: DragEvent) => void;
  onDragEnd: () => void;
}

/** One task: its context, dates, badges, the moves the server offers and time logging. */
export function TaskCard({ task, busy, onMove, onDragStart, onDragEnd }: TaskCardProps) {
  const { t } = useTranslation();
  const [loggingTime, setLoggingTime] = useState(false);
  const overdue = task.status !== 'APPROVED' && isOverdue(task.dueDate);
  const titleId = `task-${task.id}-title`;

  return (
    <article
      className="task-card"
      aria-labelledby={titleId}
      data-testid="task-card"
      data-task-id={task.id}
      draggable={task.availableTransitions.length > 0}
      onDragStart={(event) => {
        onDragStart(task, event);
      }}
      onDragEnd={onDragEnd}
    >
      <header className="task-card__header">
        <h3 id={titleId} className="task-card__title">
          {task.name}
        </h3>
        <span className="task-card__type">{t(`taskType.${task.type}`)}</span>
      </header>
      <p className="task-card__context">{taskContext(task)}</p>
      <p className="task-card__meta">
        {task.dueDate
          ? t('tasks.due', {
              date: parseDate(task.dueDate),
              formatParams: { date: { dateStyle: 'medium' } },
            })
          : t('tasks.noDueDate')}
        {task.estimateHours !== null && (
          <> · {t('tasks.estimate', { hours: task.estimateHours })}</>
        )}
      </p>
      <p className="task-card__badges">
        {task.atRisk && (
          <span className="badge badge--risk" title={t('tasks.atRiskHint')}>
            {t('tasks.atRisk')}
          </span>
        )}
        {overdue && <span className="badge badge--overdue">{t('tasks.overdue')}</span>}
      </p>
      <div
        className="task-card__moves"
        role="group"
        aria-label={t('tasks.transitions', { task: task.name })}
      >
        {task.availableTransitions.length === 0 ? (
          <span className="task-card__none">{t('tasks.noTransitions')}</span>
        ) : (
          task.availableTransitions.map((transition) => (
            <button
              key={transition.to}
              type="button"
              className="button button--small"
              disabled={busy}
              title={t('tasks.transitionTo', {
                label: transition.label,
                status: t(`status.${transition.to}`),
              })}
              data-to={transition.to}
              onClick={() => {
                onMove(task, transition.to);
              }}
            >
              {transition.label}
            </button>
          ))
        )}
      </div>
      {loggingTime ? (
        <LogTimeForm
          task={task}
          onDone={() => {
            setLoggingTime(false);
          }}
        />
      ) : (
        <button
          type="button"
          className="button button--link"
          aria-label={t('tasks.logTimeFor', { task: task.name })}
          onClick={() => {
            setLoggingTime(true);
          }}
        >
          {t('tasks.logTime')}
        </button>
      )}
    </article>
  );
}
