import { useQuery } from 'urql';
import { graphql } from '@/gql';
import type { EmployeeFilter } from '@/gql/graphql';
import { errorsFromCombined } from '@/lib/api-error';

/** How many people one page of the directory shows. */
export const DIRECTORY_PAGE_SIZE = 25;

const EmployeeDirectoryQuery = graphql(`
  query EmployeeDirectory($filter: EmployeeFilter!, $first: Int!, $after: String) {
    employees(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        displayName
        employeeNumber
        email
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

/** One page of the directory (ordered by last name), after `after` (null: the first page). */
export function useDirectoryPage(filter: EmployeeFilter, after: string | null) {
  const [result, reexecute] = useQuery({
    query: EmployeeDirectoryQuery,
    variables: { filter, first: DIRECTORY_PAGE_SIZE, after },
  });
  const connection = result.data?.employees;
  return {
    employees: connection?.nodes ?? [],
    totalCount: connection?.totalCount ?? null,
    nextCursor: connection?.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null,
    loading: result.fetching && !result.data,
    errors: result.error ? errorsFromCombined(result.error) : [],
    retry: () => {
      reexecute({ requestPolicy: 'network-only' });
    },
  };
}
