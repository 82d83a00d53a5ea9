import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SharedTaskFieldsFragment } from '@/gql/graphql';
import { useAppStore } from '@/stores/app-store';
import { stubFetch } from '@/testing/fetch';
import { liveTestClient } from '@/testing/live-client';
import { renderWithClient } from '@/testing/render';
import { sharedTask } from '../testing';
import { SharedWorkPage } from './shared-work-page';

const comp = sharedTask();
const lamp = sharedTask({
  id: 't2',
  name: 'Lamp model',
  type: 'MODELING',
  status: 'READY',
  shot: null,
  asset: { __typename: 'Asset', id: 'a1', code: 'PRP_LAMP', name: 'Lamp' },
});

/**
 * The app's own client (graphcache: the list and the live events meet in the normalized cache,
 * as in the browser) over a fake gateway: `SharedWork` answers from `shared` (the tasks shared
 * with the vendor, `first` of them), and `taskChanged` events go out through a fake socket.
 */
function fakeGateway(initial: SharedTaskFieldsFragment[]) {
  const shared = [...initial];
  const requests = stubFetch((request) => {
    const body = request.body as { operationName?: string; variables: { first: number } };
    if (body.operationName !== 'SharedWork') throw new Error(`unexpected ${body.operationName}`);
    const nodes = shared.slice(0, body.variables.first);
    return {
      body: {
        data: {
          tasks: {
            __typename: 'TaskConnection',
            totalCount: shared.length,
            pageInfo: { __typename: 'PageInfo', hasNextPage: nodes.length < shared.length },
            nodes,
          },
        },
      },
    };
  });
  const { client, sinks, send } = liveTestClient('http://vendor.test');
  const event = (kind: string, task: SharedTaskFieldsFragment) => {
    send({ data: { taskChanged: { __typename: 'TaskEvent', kind, task } } });
  };
  return {
    client,
    sinks,
    send,
    /** How many times the list was fetched. */
    fetches: () => requests.length,
    /** A studio shares a task: the vendor's subscription gets `SHARED`. */
    share: (task: SharedTaskFieldsFragment) => {
      shared.push(task);
      event('SHARED', task);
    },
    /** A studio changes a shared task: the vendor gets it as it is now. */
    change: (id: string, patch: Partial<SharedTaskFieldsFragment>, kind = 'STATUS_CHANGED') => {
      const index = shared.findIndex((t) => t.id === id);
      const changed = { ...(shared[index] ?? sharedTask({ id })), ...patch };
      if (index >= 0) shared[index] = changed;
      event(kind, changed);
    },
    /** A studio stops sharing a task: the vendor may no longer see it, so no event. */
    unshare: (id: string) => {
      shared.splice(
        shared.findIndex((t) => t.id === id),
        1,
      );
    },
  };
}

const cardIds = () => screen.queryAllByTestId('shared-task').map((card) => card.dataset.taskId);
const statusOf = (name: string) =>
  within(screen.getByRole('article', { name })).getByTestId('shared-status');
/** Lets a request the page should not make have its chance. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

beforeEach(() => {
  useAppStore.setState({ notices: [], socketStatus: 'idle', user: null });
});

describe('SharedWorkPage, live', () => {
  it('subscribes and shows the live state', async () => {
    const gateway = fakeGateway([comp]);
    renderWithClient(<SharedWorkPage />, gateway.client);
    await screen.findByRole('article', { name: 'Comp' });
    expect(gateway.sinks).toHaveLength(1);
    expect(screen.getByRole('status')).toHaveTextContent('Connecting…');
    act(() => {
      useAppStore.getState().setSocketStatus('connected');
    });
    expect(screen.getByRole('status')).toHaveTextContent('Live');
    // The refresh stays, saying what it is still for.
    expect(screen.getByRole('button', { name: 'Refresh' })).toHaveAccessibleDescription(
      /stops sharing stays until you refresh/,
    );
  });

  it('shows a failed subscription with its message and code', async () => {
    const gateway = fakeGateway([comp]);
    renderWithClient(<SharedWorkPage />, gateway.client);
    await screen.findByRole('article', { name: 'Comp' });
    act(() => {
      useAppStore.getState().setSocketStatus('connected');
    });
    gateway.send({
      data: null,
      errors: [{ message: 'scope missing', extensions: { code: 'FORBIDDEN' } }],
    });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('scope missing');
    expect(alert).toHaveTextContent('Code: FORBIDDEN');
    expect(screen.getByRole('status')).toHaveTextContent('Live updates stopped');
  });

  it('fetches the list again for an event about a task it does not hold: a newly shared task appears', async () => {
    const gateway = fakeGateway([comp]);
    renderWithClient(<SharedWorkPage />, gateway.client);
    await screen.findByRole('article', { name: 'Comp' });
    expect(gateway.fetches()).toBe(1);

    gateway.share(lamp);
    expect(await screen.findByRole('article', { name: 'Lamp model' })).toBeInTheDocument();
    expect(cardIds().sort()).toEqual(['t1', 't2']);
    await settle();
    expect(gateway.fetches()).toBe(2);
  });

  it('changes a listed task in place, without a request', async () => {
    const gateway = fakeGateway([comp, lamp]);
    renderWithClient(<SharedWorkPage />, gateway.client);
    await screen.findByRole('article', { name: 'Comp' });
    expect(statusOf('Comp')).toHaveTextContent('In progress');

    gateway.change('t1', { status: 'PENDING_REVIEW' });
    await vi.waitFor(() => {
      expect(statusOf('Comp')).toHaveTextContent('Pending review');
    });
    gateway.change('t2', { name: 'Lamp model v2', dueDate: null }, 'UPDATED');
    expect(await screen.findByRole('article', { name: 'Lamp model v2' })).toHaveTextContent(
      'No due date',
    );
    await settle();
    expect(gateway.fetches()).toBe(1);
  });

  it('keeps an unshared task (nothing announces it) until a refresh drops it', async () => {
    const gateway = fakeGateway([comp, lamp]);
    renderWithClient(<SharedWorkPage />, gateway.client);
    await screen.findByRole('article', { name: 'Lamp model' });

    gateway.unshare('t2');
    await settle();
    expect(cardIds()).toContain('t2');

    await userEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    await vi.waitFor(() => {
      expect(cardIds()).toEqual(['t1']);
    });
    expect(gateway.fetches()).toBe(2);
  });

  it('on a cut-short list, fetches again for a share only, not for changes of tasks not shown', async () => {
    const many = Array.from({ length: 101 }, (_, i) =>
      sharedTask({ id: `m${i}`, name: `Task ${String(i).padStart(3, '0')}` }),
    );
    const gateway = fakeGateway(many);
    renderWithClient(<SharedWorkPage />, gateway.client);
    expect(await screen.findByText('Showing 100 of 101 shared tasks')).toBeInTheDocument();

    // The 101st task (not shown) changes: fetching the same 100 again would not show it.
    gateway.change('m100', { status: 'APPROVED' });
    await settle();
    expect(gateway.fetches()).toBe(1);

    gateway.share(sharedTask({ id: 'new', name: 'New share' }));
    expect(await screen.findByText('Showing 100 of 102 shared tasks')).toBeInTheDocument();
    expect(gateway.fetches()).toBe(2);
  });
});
