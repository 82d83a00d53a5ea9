import { useCallback } from 'react';
import { useMutation } from 'urql';
import { graphql } from '@/gql';
import { errorsFromCombined, type ApiError } from '@/lib/api-error';

const OffboardEmployeeMutation = graphql(`
  mutation OffboardEmployee($id: ID!, $effectiveDate: Date!, $reason: String!) {
    offboardEmployee(id: $id, effectiveDate: $effectiveDate, reason: $reason) {
      id
      status
      endDate
      offboardReason
    }
  }
`);

/** Offboards a person (HR); resolves to the errors, empty on success. */
export function useOffboardEmployee() {
  const [state, execute] = useMutation(OffboardEmployeeMutation);
  const offboard = useCallback(
    async (id: string, effectiveDate: string, reason: string): Promise<ApiError[]> => {
      const result = await execute({ id, effectiveDate, reason: reason.trim() });
      return result.error ? errorsFromCombined(result.error) : [];
    },
    [execute],
  );
  return { offboard, offboarding: state.fetching };
}
