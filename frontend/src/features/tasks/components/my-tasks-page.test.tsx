import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { CombinedError } from 'urql';
import { makeSubject } from 'wonka';
import { useAppStore } from '@/stores/app-store';
import { mockClient, renderWithClient } from '@/testing/render';
import { boardTask, start } from '../testing';
import { MyTasksPage } from './my-tasks-page';

const ready = boardTask({ availableTransitions: [start] });

function myTasks(tasks = [ready]) {
  return {
    data: {
      me: {
        __typename: 'Viewer',
        employee: { __typename: 'Employee', id: 'e1', displayName: 'Ada', tasks },
      },
    },
  };
}

beforeEach(() => {
  useAppStore.setState({ notices: [], socketStatus: 'idle', socketWasConnected: false });
});

describe('MyTasksPage', () => {
  it('shows the tasks in their status column', async () => {
    const { client } = mockClient({ query: () => myTasks() });
    renderWithClient(<MyTasksPage />, client);
    const column = await screen.findByRole('region', { name: /^Ready/ });
    expect(within(column).getByRole('heading', { name: 'Animation' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Connecting…');
    act(() => {
      useAppStore.getState().setSocketStatus('connected');
    });
    expect(screen.getByRole('status')).toHaveTextContent('Live');
  });

  it('moves a task with transitionTask and confirms', async () => {
    const { client, ofKind } = mockClient({
      query: () => myTasks(),
      mutation: () => ({
        data: { transitionTask: { ...ready, status: 'IN_PROGRESS', availableTransitions: [] } },
      }),
    });
    renderWithClient(<MyTasksPage />, client);
    await userEvent.click(await screen.findByRole('button', { name: 'Start' }));
    expect(ofKind('mutation').map((op) => op.variables)).toEqual([
      { taskId: 't1', to: 'IN_PROGRESS' },
    ]);
    expect(useAppStore.getState().notices.map((n) => n.message)).toEqual([
      'Animation moved to In progress.',
    ]);
  });

  it('reports a refused move with the error code', async () => {
    const { client } = mockClient({
      query: () => myTasks(),
      mutation: () => ({
        error: new CombinedError({
          graphQLErrors: [
            { message: 'not allowed now', extensions: { code: 'TRANSITION_NOT_ALLOWED' } },
          ],
        }),
      }),
    });
    renderWithClient(<MyTasksPage />, client);
    await userEvent.click(await screen.findByRole('button', { name: 'Start' }));
    expect(useAppStore.getState().notices[0]).toMatchObject({
      kind: 'error',
      message: 'Animation could not be moved.',
      errors: [{ message: 'not allowed now', code: 'TRANSITION_NOT_ALLOWED' }],
    });
  });

  it('shows a failed load with its code and retries', async () => {
    const { client, ofKind } = mockClient({
      query: () => ({
        error: new CombinedError({
          graphQLErrors: [
            { message: 'production is down', extensions: { code: 'SUBGRAPH_UNAVAILABLE' } },
          ],
        }),
      }),
    });
    renderWithClient(<MyTasksPage />, client);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('production is down');
    expect(alert).toHaveTextContent('Code: SUBGRAPH_UNAVAILABLE');
    const before = ofKind('query').length;
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(ofKind('query').length).toBeGreaterThan(before);
  });

  it('fetches the board again when the live socket comes back after a loss', async () => {
    const { client, ofKind } = mockClient({ query: () => myTasks() });
    renderWithClient(<MyTasksPage />, client);
    await screen.findByRole('heading', { name: 'Animation' });
    const status = (s: 'connected' | 'closed') => {
      act(() => {
        useAppStore.getState().setSocketStatus(s);
      });
    };
    const before = ofKind('query').length;
    status('connected');
    expect(ofKind('query').length).toBe(before);
    status('closed');
    status('connected');
    const after = ofKind('query').slice(before);
    expect(after.map((op) => op.context.requestPolicy)).toEqual(['network-only']);
  });

  it('follows every event: refetches only when a task joins or leaves the viewer', async () => {
    const live = makeSubject<{ data: unknown }>();
    const { client, ofKind } = mockClient({ query: () => myTasks(), subscription: live.source });
    renderWithClient(<MyTasksPage />, client);
    await screen.findByRole('heading', { name: 'Animation' });
    const before = ofKind('query').length;
    const send = (kind: string, id: string, assigneeId: string | null) => {
      const assignee = assigneeId === null ? null : { __typename: 'Employee', id: assigneeId };
      act(() => {
        live.next({
          data: {
            taskChanged: {
              __typename: 'TaskEvent',
              kind,
              task: { ...boardTask({ id, status: 'IN_PROGRESS' }), assignee },
            },
          },
        });
      });
    };
    const refetches = () =>
      ofKind('query')
        .slice(before)
        .map((op) => op.context.requestPolicy);

    // A listed task changes: the cache has it, nothing is asked again.
    send('STATUS_CHANGED', 't1', 'e1');
    expect(refetches()).toEqual([]);
    // A task newly assigned to the viewer, then one of theirs given to someone else: one each.
    send('ASSIGNED', 't2', 'e1');
    expect(refetches()).toEqual(['network-only']);
    send('ASSIGNED', 't1', 'e2');
    expect(refetches()).toEqual(['network-only', 'network-only']);
    expect(ofKind('subscription')).toHaveLength(1);
  });

  it('logs time on a task', async () => {
    const { client, ofKind } = mockClient({
      query: () => myTasks(),
      mutation: () => ({
        data: {
          logTime: {
            __typename: 'TimeLog',
            id: 'l1',
            taskId: 't1',
            date: '2026-01-01',
            hours: 2.5,
            note: null,
          },
        },
      }),
    });
    renderWithClient(<MyTasksPage />, client);
    await userEvent.click(await screen.findByRole('button', { name: 'Log time on Animation' }));
    const form = screen.getByRole('form', { name: 'Log time on Animation' });
    const hours = within(form).getByLabelText('Hours');
    await userEvent.clear(hours);
    await userEvent.type(hours, '2.5');
    await userEvent.type(within(form).getByLabelText('Note'), 'blocking');
    await userEvent.click(within(form).getByRole('button', { name: 'Save' }));
    expect(ofKind('mutation')[0]?.variables).toEqual({
      input: expect.objectContaining({ taskId: 't1', hours: 2.5, note: 'blocking' }) as unknown,
    });
    expect(useAppStore.getState().notices.map((n) => n.message)).toEqual([
      'Logged 2.5 h on Animation.',
    ]);
    expect(screen.queryByRole('form')).not.toBeInTheDocument();
  });
});
