import { useQuery } from 'urql';
import { graphql } from '@/gql';
import { errorsFromCombined } from '@/lib/api-error';
import { PROJECT_PAGE_SIZE } from './use-project';

const ProjectShotsPageQuery = graphql(`
  query ProjectShotsPage($id: ID!, $first: Int!, $after: String!) {
    project(id: $id) {
      id
      shots(first: $first, after: $after) {
        ...ShotPageFields
      }
    }
  }
`);

const ProjectAssetsPageQuery = graphql(`
  query ProjectAssetsPage($id: ID!, $first: Int!, $after: String!) {
    project(id: $id) {
      id
      assets(first: $first, after: $after) {
        ...AssetPageFields
      }
    }
  }
`);

function page<T>(
  connection:
    { nodes: T[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } | undefined,
) {
  return {
    nodes: connection?.nodes ?? [],
    nextCursor: connection?.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null,
  };
}

/** A further page of a project's shots, after the cursor the previous page ended on. */
export function useShotsPage(projectId: string, after: string) {
  const [result, reexecute] = useQuery({
    query: ProjectShotsPageQuery,
    variables: { id: projectId, first: PROJECT_PAGE_SIZE, after },
  });
  return {
    ...page(result.data?.project?.shots),
    loading: result.fetching && !result.data,
    errors: result.error ? errorsFromCombined(result.error) : [],
    retry: () => {
      reexecute({ requestPolicy: 'network-only' });
    },
  };
}

/** A further page of a project's assets. */
export function useAssetsPage(projectId: string, after: string) {
  const [result, reexecute] = useQuery({
    query: ProjectAssetsPageQuery,
    variables: { id: projectId, first: PROJECT_PAGE_SIZE, after },
  });
  return {
    ...page(result.data?.project?.assets),
    loading: result.fetching && !result.data,
    errors: result.error ? errorsFromCombined(result.error) : [],
    retry: () => {
      reexecute({ requestPolicy: 'network-only' });
    },
  };
}
