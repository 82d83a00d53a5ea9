import { useEffect, useMemo, useRef } from 'react';
import { useQuery, useSubscription } from 'urql';
import { graphql } from '@/gql';
import { errorsFromCombined } from '@/lib/api-error';
import type { BoardTask } from '../board';
import { useResyncOnReconnect } from '@/stores/use-resync-on-reconnect';

const MyTasksQuery = graphql(`
  query MyTasks {
    me {
      employee {
        id
        displayName
        tasks {
          ...TaskCardFields
        }
      }
    }
  }
`);

const MyTaskChangesSubscription = graphql(`
  subscription MyTaskChanges {
    taskChanged {
      kind
      task {
        ...TaskCardFields
        assignee {
          id
        }
      }
    }
  }
`);

/**
 * The viewer's tasks, kept live: every `taskChanged` event lands in the normalized cache (so a
 * card changes in place); a task assigned to or taken from the viewer refetches the list.
 */
export function useMyTasks() {
  const [result, reexecute] = useQuery({ query: MyTasksQuery });
  const employee = result.data?.me.employee ?? null;
  const [live] = useSubscription({ query: MyTaskChangesSubscription, pause: !employee });
  // Changes sent while the socket was away are not replayed: fetch again when it is back.
  useResyncOnReconnect(() => {
    reexecute({ requestPolicy: 'network-only' });
  });

  const event = live.data?.taskChanged;
  const tasks: readonly BoardTask[] = useMemo(() => employee?.tasks ?? [], [employee]);

  // Each event is looked at once: a refetch must not make the same event refetch again.
  const seen = useRef<typeof event>(undefined);
  useEffect(() => {
    if (!event || !employee || seen.current === event) return;
    seen.current = event;
    const mine = event.task.assignee?.id === employee.id;
    const listed = tasks.some((task) => task.id === event.task.id);
    if (mine !== listed) reexecute({ requestPolicy: 'network-only' });
  }, [event, employee, tasks, reexecute]);

  return {
    tasks,
    hasEmployee: employee !== null,
    loading: result.fetching && !result.data,
    errors: result.error ? errorsFromCombined(result.error) : [],
    liveErrors: live.error ? errorsFromCombined(live.error) : [],
    retry: () => {
      reexecute({ requestPolicy: 'network-only' });
    },
  };
}
