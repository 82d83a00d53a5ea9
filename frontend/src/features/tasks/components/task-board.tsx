import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TaskStatus } from '@/gql/graphql';
import { groupByStatus, transitionTo, type BoardTask } from '../board';
import { TaskCard } from './task-card';

interface TaskBoardProps {
  tasks: readonly BoardTask[];
  busy: boolean;
  onMove: (task: BoardTask, to: TaskStatus) => void;
}

/**
 * Columns by status. Cards move with their buttons (keyboard) or by dragging; a column accepts a
 * drop only when the dragged task has a transition to it.
 */
export function TaskBoard({ tasks, busy, onMove }: TaskBoardProps) {
  const { t } = useTranslation();
  const [dragging, setDragging] = useState<BoardTask | null>(null);

  return (
    <div className="board">
      {groupByStatus(tasks).map((column) => {
        const accepts = dragging !== null && transitionTo(dragging, column.status) !== null;
        const headingId = `column-${column.status}`;
        return (
          <section
            key={column.status}
            className={`board__column${accepts ? ' board__column--accepts' : ''}`}
            aria-labelledby={headingId}
            data-status={column.status}
            onDragOver={(event) => {
              if (accepts) event.preventDefault();
            }}
            onDrop={(event) => {
              event.preventDefault();
              if (dragging && accepts) onMove(dragging, column.status);
              setDragging(null);
            }}
          >
            <h2 id={headingId} className="board__heading">
              {t(`status.${column.status}`)}{' '}
              <span className="board__count">
                {t('tasks.count', { count: column.tasks.length })}
              </span>
            </h2>
            {accepts && (
              <p className="board__drop-hint">
                {t('tasks.dropHint', { status: t(`status.${column.status}`) })}
              </p>
            )}
            {column.tasks.length === 0 ? (
              <p className="board__empty">{t('tasks.empty')}</p>
            ) : (
              <ul className="board__cards">
                {column.tasks.map((task) => (
                  <li key={task.id}>
                    <TaskCard
                      task={task}
                      busy={busy}
                      onMove={onMove}
                      onDragStart={(dragged, event) => {
                        event.dataTransfer.effectAllowed = 'move';
                        event.dataTransfer.setData('text/plain', dragged.id);
                        setDragging(dragged);
                      }}
                      onDragEnd={() => {
                        setDragging(null);
                      }}
                    />
                  </li>
                ))}
              </ul>
            )}
          </section>
        );
      })}
    </div>
  );
}
