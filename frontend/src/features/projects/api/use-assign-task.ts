import { useCallback } from 'react';
import { useMutation } from 'urql';
import { graphql } from '@/gql';
import { errorsFromCombined, type ApiError } from '@/lib/api-error';
import { leaveConflictsOf, type LeaveConflict } from '../conflicts';

const AssignTaskMutation = graphql(`
  mutation AssignTask($taskId: ID!, $employeeId: ID, $note: String) {
    assignTask(taskId: $taskId, employeeId: $employeeId, note: $note) {
      ...ProjectTaskFields
    }
  }
`);

export interface AssignOutcome {
  errors: ApiError[];
  /** The assignee's approved leave over the due date, when that is why it was refused. */
  conflicts: LeaveConflict[];
}

/** Assigns a task (null: unassigns); the cache updates the task wherever it is shown. */
export function useAssignTask() {
  const [state, execute] = useMutation(AssignTaskMutation);
  const assign = useCallback(
    async (taskId: string, employeeId: string | null, note: string): Promise<AssignOutcome> => {
      const trimmed = note.trim();
      const result = await execute({ taskId, employeeId, note: trimmed === '' ? null : trimmed });
      if (!result.error) return { errors: [], conflicts: [] };
      return {
        errors: errorsFromCombined(result.error),
        conflicts: leaveConflictsOf(result.error),
      };
    },
    [execute],
  );
  return { assign, assigning: state.fetching };
}
