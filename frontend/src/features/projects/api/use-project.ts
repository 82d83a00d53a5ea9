import { useEffect, useRef } from 'react';
import { useQuery, useSubscription } from 'urql';
import { graphql } from '@/gql';
import { errorsFromCombined } from '@/lib/api-error';
import { useResyncOnReconnect } from '@/stores/use-resync-on-reconnect';

/** Shots (and assets) per page of the project view. */
export const PROJECT_PAGE_SIZE = 20;
/** At-risk tasks listed in the project's summary. */
export const AT_RISK_LIMIT = 50;

/**
 * The project view in one federated query: production's shots, assets and tasks, HR's assignees
 * and supervisor, render's jobs and costs, plus every at-risk task of the project.
 */
const ProjectViewQuery = graphql(`
  query ProjectView($id: ID!, $first: Int!, $atRiskFirst: Int!) {
    project(id: $id) {
      id
      code
      name
      status
      autoRender
      supervisor {
        id
        displayName
      }
      shots(first: $first) {
        ...ShotPageFields
      }
      assets(first: $first) {
        ...AssetPageFields
      }
    }
    tasks(filter: { projectId: $id, atRisk: true }, first: $atRiskFirst) {
      totalCount
      nodes {
        id
        name
        dueDate
        atRisk
        shot {
          id
          code
        }
        asset {
          id
          code
        }
        assignee {
          id
          displayName
        }
      }
    }
  }
`);

const ProjectTaskChangesSubscription = graphql(`
  subscription ProjectTaskChanges($projectId: ID!) {
    taskChanged(projectId: $projectId) {
      kind
      task {
        ...ProjectTaskFields
      }
    }
  }
`);

/**
 * One project, live: `taskChanged` updates tasks in the normalized cache (status, assignee,
 * at-risk); a change to a task's at-risk flag or a new task refetches the view so the
 * summary and the lists follow.
 */
export function useProject(id: string) {
  const [result, reexecute] = useQuery({
    query: ProjectViewQuery,
    variables: { id, first: PROJECT_PAGE_SIZE, atRiskFirst: AT_RISK_LIMIT },
  });
  // Changes sent while the socket was away are not replayed: fetch again when it is back.
  useResyncOnReconnect(() => {
    reexecute({ requestPolicy: 'network-only' });
  });
  const [live] = useSubscription({
    query: ProjectTaskChangesSubscription,
    variables: { projectId: id },
    pause: !result.data?.project,
  });

  const event = live.data?.taskChanged;
  const atRisk = result.data?.tasks;
  // Each event is looked at once: a refetch must not make the same event refetch again.
  const seen = useRef<typeof event>(undefined);
  useEffect(() => {
    if (!event || !atRisk || seen.current === event) return;
    seen.current = event;
    const listed = atRisk.nodes.some((task) => task.id === event.task.id);
    if (event.kind === 'CREATED' || listed !== event.task.atRisk) {
      reexecute({ requestPolicy: 'network-only' });
    }
  }, [event, atRisk, reexecute]);

  return {
    project: result.data?.project ?? null,
    atRisk: atRisk?.nodes.filter((task) => task.atRisk) ?? [],
    atRiskCount: atRisk?.totalCount ?? 0,
    found: !result.data || result.data.project !== null,
    loading: result.fetching && !result.data,
    errors: result.error ? errorsFromCombined(result.error) : [],
    liveErrors: live.error ? errorsFromCombined(live.error) : [],
    retry: () => {
      reexecute({ requestPolicy: 'network-only' });
    },
  };
}
