import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReviewTaskFieldsFragment, TaskStatus } from '@/gql/graphql';
import { useAppStore } from '@/stores/app-store';
import { stubFetch, type RecordedRequest } from '@/testing/fetch';
import { liveTestClient } from '@/testing/live-client';
import { renderWithClient } from '@/testing/render';
import { REVIEW_PAGE_SIZE } from '../api/use-review-queue';
import { ReviewPage } from './review-page';

const pad = (n: number) => String(n).padStart(3, '0');

function task(n: number, status: TaskStatus = 'PENDING_REVIEW'): ReviewTaskFieldsFragment {
  return {
    __typename: 'Task',
    id: `t${n}`,
    name: `Task ${pad(n)}`,
    status,
    project: { __typename: 'Project', id: 'p', code: 'SKY' },
    shot: { __typename: 'Shot', id: `s${n}`, code: `SH${pad(n)}` },
    asset: null,
    assignee: null,
    versions: [
      {
        __typename: 'Version',
        id: `v${n}`,
        number: 1,
        path: `/shows/sky/t${n}_v001.exr`,
        comment: null,
        status: 'PENDING_REVIEW',
        createdAt: '2026-01-02T10:00:00Z',
        frameStart: null,
        frameEnd: null,
        createdBy: null,
      },
    ],
  };
}

const number = (t: ReviewTaskFieldsFragment) => Number(t.id.slice(1));
/** The cursor the fake gateway gives task n: `cursor-n`. */
const cursorOf = (t: ReviewTaskFieldsFragment) => `cursor-${number(t)}`;

interface QueueVariables {
  first: number;
  after: string | null;
}

/**
 * The app's own client (graphcache: pages and live changes meet in the normalized cache, as in
 * the browser) over a fake gateway answering `tasks(filter: {status: [PENDING_REVIEW]}, first,
 * after)` from `count` tasks in creation order; `fail` says which requests fail.
 */
function fakeGateway(count: number, fail?: (variables: QueueVariables) => boolean) {
  const tasks = Array.from({ length: count }, (_, i) => task(i + 1));
  const requests = stubFetch((request) => {
    const body = request.body as { operationName?: string; variables: QueueVariables };
    if (body.operationName !== 'ReviewQueue') throw new Error(`unexpected ${body.operationName}`);
    if (fail?.(body.variables)) {
      return {
        body: {
          data: null,
          errors: [{ message: 'production is unavailable', extensions: { code: 'UNAVAILABLE' } }],
        },
      };
    }
    const pending = tasks.filter((t) => t.status === 'PENDING_REVIEW');
    const { first, after } = body.variables;
    // Creation order: the page starts at the first pending task created after the cursor's.
    const from =
      after === null
        ? 0
        : pending.filter((t) => number(t) <= Number(after.replace('cursor-', ''))).length;
    const nodes = pending.slice(from, from + first);
    const last = nodes.at(-1);
    return {
      body: {
        data: {
          tasks: {
            __typename: 'TaskConnection',
            totalCount: pending.length,
            pageInfo: {
              __typename: 'PageInfo',
              hasNextPage: from + first < pending.length,
              endCursor: last ? cursorOf(last) : null,
            },
            nodes,
          },
        },
      },
    };
  });
  const queueRequests = () =>
    requests.map((r: RecordedRequest) => (r.body as { variables: QueueVariables }).variables);
  /** Changes a task at the gateway, then sends its `taskChanged` event. */
  const { client, send } = liveTestClient();
  const change = (n: number, patch: Partial<ReviewTaskFieldsFragment>, kind = 'STATUS_CHANGED') => {
    const changed = { ...(tasks[n - 1] ?? task(n)), ...patch };
    tasks[n - 1] = changed;
    send({ data: { taskChanged: { __typename: 'TaskEvent', kind, task: changed } } });
  };
  return { client, tasks, queueRequests, change };
}

// Plain DOM queries: role queries over a hundred tasks are slow in jsdom.
const shownNames = () =>
  screen.getAllByTestId('review-task').map((t) => t.querySelector('h2')?.textContent);

const names = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `Task ${pad(from + i)}`);

/** The count and the control after the last page. */
const footer = async () => await screen.findByTestId('review-more');
const loadMore = async () =>
  within(await footer()).getByRole('button', { name: 'Load more tasks' });

beforeEach(() => {
  useAppStore.setState({ notices: [], socketStatus: 'idle' });
});

describe('ReviewPage', () => {
  it('shows the first page, how many of all pending tasks that is, and a control for more', async () => {
    const gateway = fakeGateway(130);
    renderWithClient(<ReviewPage />, gateway.client);
    expect(await screen.findByText('Showing 50 of 130 tasks pending review')).toBeInTheDocument();
    expect(shownNames()).toEqual(names(1, 50));
    expect(gateway.queueRequests()).toEqual([{ first: REVIEW_PAGE_SIZE, after: null }]);
    expect(await loadMore()).toHaveAccessibleDescription('Showing 50 of 130 tasks pending review');
  });

  it('loads the next page after the cursor the previous one ended on, and shows both', async () => {
    const gateway = fakeGateway(130);
    renderWithClient(<ReviewPage />, gateway.client);
    await userEvent.click(await loadMore());
    expect(await screen.findByText('Showing 100 of 130 tasks pending review')).toBeInTheDocument();
    expect(shownNames()).toEqual(names(1, 100));
    expect(gateway.queueRequests()).toEqual([
      { first: REVIEW_PAGE_SIZE, after: null },
      { first: REVIEW_PAGE_SIZE, after: 'cursor-50' },
    ]);
    expect(await loadMore()).toBeInTheDocument();
  });

  it('loads with the keyboard, moves the focus to the first new task, and ends with the last page', async () => {
    const gateway = fakeGateway(70);
    renderWithClient(<ReviewPage />, gateway.client);
    (await loadMore()).focus();
    await userEvent.keyboard('{Enter}');
    expect(await screen.findByText('Showing 70 of 70 tasks pending review')).toBeInTheDocument();
    expect(shownNames()).toEqual(names(1, 70));
    expect(screen.getByRole('heading', { name: 'Task 051' })).toHaveFocus();
    expect(within(await footer()).queryByRole('button')).toBeNull();
    expect(gateway.queueRequests().at(-1)).toEqual({ first: REVIEW_PAGE_SIZE, after: 'cursor-50' });
  });

  it('shows a next page that failed with its message and code, and loads it on Try again', async () => {
    let failures = 1;
    const gateway = fakeGateway(70, (variables) => variables.after !== null && failures-- > 0);
    renderWithClient(<ReviewPage />, gateway.client);
    await userEvent.click(await loadMore());
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The next tasks pending review could not be loaded.');
    expect(alert).toHaveTextContent('production is unavailable');
    expect(alert).toHaveTextContent('Code: UNAVAILABLE');
    expect(shownNames()).toEqual(names(1, 50));

    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Showing 70 of 70 tasks pending review')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(shownNames()).toEqual(names(1, 70));
    expect(gateway.queueRequests().slice(1)).toEqual([
      { first: REVIEW_PAGE_SIZE, after: 'cursor-50' },
      { first: REVIEW_PAGE_SIZE, after: 'cursor-50' },
    ]);
  });

  it('follows changes to the tasks it shows; one leaving review goes without a refetch', async () => {
    const gateway = fakeGateway(130);
    renderWithClient(<ReviewPage />, gateway.client);
    await userEvent.click(await loadMore());
    await screen.findByText('Showing 100 of 130 tasks pending review');

    // Still pending, and on the second page: only the first page (it could have entered there)
    // is fetched again.
    const grace = { __typename: 'Employee' as const, id: 'e2', displayName: 'Grace' };
    gateway.change(70, { assignee: grace }, 'ASSIGNED');
    expect(await screen.findByText('SKY · SH070 · Grace')).toBeInTheDocument();
    await vi.waitFor(() => {
      expect(gateway.queueRequests()).toHaveLength(3);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(gateway.queueRequests()[2]).toEqual({ first: REVIEW_PAGE_SIZE, after: null });
    expect(gateway.queueRequests()).toHaveLength(3);

    gateway.change(60, { status: 'APPROVED' });
    expect(await screen.findByText('Showing 99 of 129 tasks pending review')).toBeInTheDocument();
    expect(shownNames()).toEqual(names(1, 100).filter((name) => name !== 'Task 060'));
    expect(gateway.queueRequests()).toHaveLength(3);
  });

  it('refetches the pages when a task enters review, each after where the one before now ends', async () => {
    const gateway = fakeGateway(60);
    gateway.tasks[9] = task(10, 'IN_PROGRESS');
    gateway.tasks[54] = task(55, 'IN_PROGRESS');
    renderWithClient(<ReviewPage />, gateway.client);
    await userEvent.click(await loadMore());
    expect(await screen.findByText('Showing 58 of 58 tasks pending review')).toBeInTheDocument();
    expect(gateway.queueRequests().at(-1)).toEqual({ first: REVIEW_PAGE_SIZE, after: 'cursor-51' });

    // Task 010 takes a place on the first page, which now ends one task earlier: the second page
    // starts there, so task 051 is neither lost nor shown twice.
    gateway.change(10, { status: 'PENDING_REVIEW' });
    expect(await screen.findByText('Showing 59 of 59 tasks pending review')).toBeInTheDocument();
    await vi.waitFor(() => {
      expect(shownNames()).toEqual(names(1, 60).filter((name) => name !== 'Task 055'));
    });
    expect(gateway.queueRequests()).toContainEqual({ first: REVIEW_PAGE_SIZE, after: 'cursor-50' });

    // Task 055 belongs on the second page, whose cursor does not move: that page is fetched again.
    gateway.change(55, { status: 'PENDING_REVIEW' });
    expect(await screen.findByText('Showing 60 of 60 tasks pending review')).toBeInTheDocument();
    expect(shownNames()).toEqual(names(1, 60));
  });
});
