import { useCallback } from 'react';
import { useMutation } from 'urql';
import { graphql } from '@/gql';
import { errorsFromCombined, type ApiError } from '@/lib/api-error';

const ShareTaskMutation = graphql(`
  mutation ShareTask($taskId: ID!, $vendorTenantId: ID!) {
    shareTask(taskId: $taskId, vendorTenantId: $vendorTenantId) {
      ...ProjectTaskFields
    }
  }
`);

const UnshareTaskMutation = graphql(`
  mutation UnshareTask($taskId: ID!, $vendorTenantId: ID!) {
    unshareTask(taskId: $taskId, vendorTenantId: $vendorTenantId) {
      ...ProjectTaskFields
    }
  }
`);

/**
 * Shares a task with a vendor tenant or withdraws it (both idempotent); each resolves to the
 * errors, empty on success. The answer's `sharedWith` updates the task in the cache.
 */
export function useShareTask() {
  const [shareState, executeShare] = useMutation(ShareTaskMutation);
  const [unshareState, executeUnshare] = useMutation(UnshareTaskMutation);
  const share = useCallback(
    async (taskId: string, vendorTenantId: string): Promise<ApiError[]> => {
      const result = await executeShare({ taskId, vendorTenantId });
      return result.error ? errorsFromCombined(result.error) : [];
    },
    [executeShare],
  );
  const unshare = useCallback(
    async (taskId: string, vendorTenantId: string): Promise<ApiError[]> => {
      const result = await executeUnshare({ taskId, vendorTenantId });
      return result.error ? errorsFromCombined(result.error) : [];
    },
    [executeUnshare],
  );
  return { share, unshare, busy: shareState.fetching || unshareState.fetching };
}
