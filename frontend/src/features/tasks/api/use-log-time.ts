import { useCallback } from 'react';
import { useMutation } from 'urql';
import { graphql } from '@/gql';
import type { LogTimeInput } from '@/gql/graphql';
import { errorsFromCombined, type ApiError } from '@/lib/api-error';

const LogTimeMutation = graphql(`
  mutation LogTime($input: LogTimeInput!) {
    logTime(input: $input) {
      id
      taskId
      date
      hours
      note
    }
  }
`);

/** Logs hours on one of the viewer's tasks; resolves to the errors, empty on success. */
export function useLogTime() {
  const [state, execute] = useMutation(LogTimeMutation);
  const logTime = useCallback(
    async (input: LogTimeInput): Promise<ApiError[]> => {
      const result = await execute({ input });
      return result.error ? errorsFromCombined(result.error) : [];
    },
    [execute],
  );
  return { logTime, saving: state.fetching };
}
