import { useQuery } from 'urql';
import { graphql } from '@/gql';
import { errorsFromCombined } from '@/lib/api-error';

/** People offered at once; a search narrows the directory beyond that. */
export const ASSIGNEE_OPTIONS = 100;

const AssigneeOptionsQuery = graphql(`
  query AssigneeOptions($search: String, $first: Int!) {
    employees(filter: { search: $search, status: [ACTIVE, ON_LEAVE] }, first: $first) {
      totalCount
      nodes {
        id
        displayName
        title
        status
        department {
          id
          name
        }
      }
    }
  }
`);

/** Who a task can be given to: the directory's active people (and those on leave), by name. */
export function useAssigneeOptions(search: string) {
  const trimmed = search.trim();
  const [result, reexecute] = useQuery({
    query: AssigneeOptionsQuery,
    variables: { search: trimmed === '' ? null : trimmed, first: ASSIGNEE_OPTIONS },
  });
  return {
    employees: result.data?.employees.nodes ?? [],
    totalCount: result.data?.employees.totalCount ?? 0,
    loading: result.fetching && !result.data,
    errors: result.error ? errorsFromCombined(result.error) : [],
    retry: () => {
      reexecute({ requestPolicy: 'network-only' });
    },
  };
}
