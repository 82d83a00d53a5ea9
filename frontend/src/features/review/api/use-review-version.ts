import { useCallback } from 'react';
import { useMutation } from 'urql';
import { graphql } from '@/gql';
import { errorsFromCombined, type ApiError } from '@/lib/api-error';

const ReviewVersionMutation = graphql(`
  mutation ReviewVersion($versionId: ID!, $approve: Boolean!, $comment: String) {
    reviewVersion(versionId: $versionId, approve: $approve, comment: $comment) {
      id
      status
      reviewedAt
      task {
        id
        status
      }
    }
  }
`);

/** Approves a version or asks for a retake; resolves to the errors, empty on success. */
export function useReviewVersion() {
  const [state, execute] = useMutation(ReviewVersionMutation);
  const review = useCallback(
    async (versionId: string, approve: boolean, comment: string): Promise<ApiError[]> => {
      const trimmed = comment.trim();
      const result = await execute({
        versionId,
        approve,
        comment: trimmed === '' ? null : trimmed,
      });
      return result.error ? errorsFromCombined(result.error) : [];
    },
    [execute],
  );
  return { review, reviewing: state.fetching };
}
