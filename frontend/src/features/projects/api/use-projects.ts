import { useQuery } from 'urql';
import { graphql } from '@/gql';
import { errorsFromCombined } from '@/lib/api-error';

/** Projects per page of the list. */
export const PROJECTS_PAGE_SIZE = 25;

const ProjectsQuery = graphql(`
  query Projects($first: Int!, $after: String) {
    projects(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        code
        name
        status
        autoRender
        supervisor {
          id
          displayName
        }
        shots(first: 0) {
          totalCount
        }
        assets(first: 0) {
          totalCount
        }
      }
    }
  }
`);

/** One page of projects (by code), from `after` (null: the first page). */
export function useProjectsPage(after: string | null) {
  const [result, reexecute] = useQuery({
    query: ProjectsQuery,
    variables: { first: PROJECTS_PAGE_SIZE, after },
  });
  const connection = result.data?.projects;
  return {
    projects: connection?.nodes ?? [],
    totalCount: connection?.totalCount ?? 0,
    nextCursor: connection?.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null,
    loading: result.fetching && !result.data,
    errors: result.error ? errorsFromCombined(result.error) : [],
    retry: () => {
      reexecute({ requestPolicy: 'network-only' });
    },
  };
}
