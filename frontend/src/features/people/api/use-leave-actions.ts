import { useCallback } from 'react';
import { useMutation } from 'urql';
import { graphql } from '@/gql';
import type { RequestLeaveInput } from '@/gql/graphql';
import { errorsFromCombined, type ApiError } from '@/lib/api-error';

const RequestLeaveMutation = graphql(`
  mutation RequestLeave($input: RequestLeaveInput!) {
    requestLeave(input: $input) {
      ...LeaveRequestFields
    }
  }
`);

const CancelLeaveMutation = graphql(`
  mutation CancelLeave($id: ID!, $comment: String) {
    cancelLeave(id: $id, comment: $comment) {
      ...LeaveRequestFields
    }
  }
`);

const DecideLeaveMutation = graphql(`
  mutation DecideLeave($id: ID!, $approve: Boolean!, $comment: String) {
    decideLeave(id: $id, approve: $approve, comment: $comment) {
      ...LeaveRequestFields
    }
  }
`);

const orNull = (text: string) => (text.trim() === '' ? null : text.trim());

/** Requests leave for the viewer; resolves to the errors, empty on success. */
export function useRequestLeave() {
  const [state, execute] = useMutation(RequestLeaveMutation);
  const request = useCallback(
    async (input: Omit<RequestLeaveInput, 'idempotencyKey'>): Promise<ApiError[]> => {
      const result = await execute({
        input: {
          ...input,
          reason: orNull(input.reason ?? ''),
          idempotencyKey: crypto.randomUUID(),
        },
      });
      return result.error ? errorsFromCombined(result.error) : [];
    },
    [execute],
  );
  return { request, requesting: state.fetching };
}

/** Cancels a pending or approved request; resolves to the errors, empty on success. */
export function useCancelLeave() {
  const [state, execute] = useMutation(CancelLeaveMutation);
  const cancel = useCallback(
    async (id: string): Promise<ApiError[]> => {
      const result = await execute({ id, comment: null });
      return result.error ? errorsFromCombined(result.error) : [];
    },
    [execute],
  );
  return { cancel, cancelling: state.fetching };
}

/** Approves or rejects a pending request; resolves to the errors, empty on success. */
export function useDecideLeave() {
  const [state, execute] = useMutation(DecideLeaveMutation);
  const decide = useCallback(
    async (id: string, approve: boolean, comment: string): Promise<ApiError[]> => {
      const result = await execute({ id, approve, comment: orNull(comment) });
      return result.error ? errorsFromCombined(result.error) : [];
    },
    [execute],
  );
  return { decide, deciding: state.fetching };
}
