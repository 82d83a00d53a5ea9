import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from 'urql';
import { graphql } from '@/gql';
import type { TaskStatus } from '@/gql/graphql';
import { errorsFromCombined } from '@/lib/api-error';
import { useAppStore } from '@/stores/app-store';
import type { BoardTask } from '../board';

const MoveTaskMutation = graphql(`
  mutation MoveTask($taskId: ID!, $to: TaskStatus!) {
    transitionTask(taskId: $taskId, to: $to) {
      ...TaskCardFields
    }
  }
`);

/** Moves a task along one of its `availableTransitions`; the cache updates the board. */
export function useMoveTask() {
  const { t } = useTranslation();
  const notify = useAppStore((s) => s.notify);
  const [state, execute] = useMutation(MoveTaskMutation);

  const move = useCallback(
    async (task: BoardTask, to: TaskStatus) => {
      const result = await execute({ taskId: task.id, to });
      if (result.error) {
        notify({
          kind: 'error',
          message: t('tasks.moveFailed', { task: task.name }),
          errors: errorsFromCombined(result.error),
        });
        return false;
      }
      notify({
        kind: 'success',
        message: t('tasks.moved', { task: task.name, status: t(`status.${to}`) }),
      });
      return true;
    },
    [execute, notify, t],
  );

  return { move, moving: state.fetching };
}
