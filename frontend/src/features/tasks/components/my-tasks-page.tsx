import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import { LiveIndicator } from '@/components/live-indicator';
import { Loading } from '@/components/loading';
import { useMoveTask } from '../api/use-move-task';
import { useMyTasks } from '../api/use-my-tasks';
import { TaskBoard } from './task-board';

export function MyTasksPage() {
  const { t } = useTranslation();
  const { tasks, hasEmployee, loading, errors, liveErrors, retry } = useMyTasks();
  const { move, moving } = useMoveTask();

  return (
    <div className="page">
      <header className="page__header">
        <h1>{t('tasks.title')}</h1>
        {!loading && errors.length === 0 && <LiveIndicator errors={liveErrors} />}
      </header>
      {loading ? (
        <Loading />
      ) : errors.length > 0 ? (
        <ErrorNotice errors={errors} onRetry={retry} />
      ) : hasEmployee ? (
        <TaskBoard
          tasks={tasks}
          busy={moving}
          onMove={(task, to) => {
            void move(task, to);
          }}
        />
      ) : (
        <p>{t('tasks.noEmployee')}</p>
      )}
    </div>
  );
}
