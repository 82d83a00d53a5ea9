import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { CombinedError } from 'urql';
import { makeSubject } from 'wonka';
import type { RenderJobFieldsFragment } from '@/gql/graphql';
import type { SessionUser } from '@/lib/auth-api';
import { useAppStore } from '@/stores/app-store';
import { mockClient, renderWithClient } from '@/testing/render';
import { useRenderUi } from '../stores/render-ui-store';
import { renderJob } from '../testing';
import { RenderPage } from './render-page';

const initialUi = useRenderUi.getState();

function signedInAs(roles: SessionUser['roles'], employeeId: string | null) {
  useAppStore.setState({
    notices: [],
    socketStatus: 'idle',
    user: { id: 'u1', email: 'x@northwind.test', tenantId: 't', employeeId, roles },
  });
}

function queue(jobs: RenderJobFieldsFragment[]) {
  return {
    data: {
      renderJobs: {
        __typename: 'RenderJobConnection',
        totalCount: jobs.length,
        pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
        nodes: jobs,
      },
    },
  };
}

const workers = {
  data: {
    renderPools: ['cpu', 'gpu'].map((name) => ({
      __typename: 'RenderPool',
      name,
      ratePerCoreHour: { __typename: 'Money', amount: '0.05', currency: 'EUR' },
      quotaCores: null,
      runningCores: 0,
      queuedTasks: 0,
      onlineWorkers: 1,
      capacityCores: 32,
    })),
    renderWorkers: [
      {
        __typename: 'RenderWorker',
        id: 'w1',
        hostname: 'node-01',
        pool: 'cpu',
        cores: 32,
        status: 'BUSY',
        lastHeartbeatAt: '2026-01-02T10:00:00Z',
      },
      {
        __typename: 'RenderWorker',
        id: 'w2',
        hostname: 'gpu-01',
        pool: 'gpu',
        cores: 8,
        status: 'IDLE',
        lastHeartbeatAt: null,
      },
    ],
  },
};

beforeEach(() => {
  useRenderUi.setState(initialUi, true);
  signedInAs(['RENDER_WRANGLER'], 'e-w');
});

describe('RenderPage', () => {
  it('lists the queue for a wrangler, live', async () => {
    const { client, ofKind } = mockClient({
      query: (name) => (name === 'RenderQueue' ? queue([renderJob()]) : { data: null }),
    });
    renderWithClient(<RenderPage />, client);
    expect(screen.getByRole('heading', { name: 'Render queue' })).toBeInTheDocument();
    const card = await screen.findByRole('article', { name: 'SH010 beauty' });
    expect(within(card).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '1');
    expect(screen.getByText('1 job')).toBeInTheDocument();
    expect(ofKind('subscription')).toHaveLength(1);
    expect(screen.getByRole('status')).toHaveTextContent('Connecting…');
  });

  it('follows every event: a listed job needs no refetch, each new job refetches the first page', async () => {
    const live = makeSubject<{ data: unknown }>();
    const { client, ofKind } = mockClient({
      query: () => queue([renderJob()]),
      subscription: live.source,
    });
    renderWithClient(<RenderPage />, client);
    await screen.findByRole('article', { name: 'SH010 beauty' });
    const before = ofKind('query').length;
    const send = (kind: string, job: RenderJobFieldsFragment) => {
      act(() => {
        live.next({ data: { renderJobChanged: { __typename: 'RenderJobEvent', kind, job } } });
      });
    };
    const progressed = (done: number) =>
      renderJob({ progress: { __typename: 'Progress', done, total: 4 } });
    const submitted = (id: string) =>
      renderJob({ id, status: 'QUEUED', createdAt: '2026-01-03T00:00:00Z' });
    const refetches = () => ofKind('query').slice(before);

    // A listed job's changes land in the normalized cache: nothing is asked again.
    send('PROGRESSED', progressed(2));
    send('PROGRESSED', progressed(3));
    expect(refetches()).toHaveLength(0);

    // Each new job: the first page, once.
    send('SUBMITTED', submitted('j2'));
    expect(refetches().map((op) => op.context.requestPolicy)).toEqual(['network-only']);
    expect(refetches()[0]?.variables).toMatchObject({ after: null });
    send('PROGRESSED', progressed(4));
    send('SUBMITTED', submitted('j3'));
    expect(refetches().map((op) => op.context.requestPolicy)).toEqual([
      'network-only',
      'network-only',
    ]);
    expect(ofKind('subscription')).toHaveLength(1);
  });

  it('asks the server for the chosen status filter', async () => {
    const { client, ofKind } = mockClient({ query: () => queue([]) });
    renderWithClient(<RenderPage />, client);
    await screen.findByText('No jobs match.');
    await userEvent.selectOptions(screen.getByLabelText('Show'), 'Failed');
    await screen.findByText('No jobs match.');
    const filters = ofKind('query').map((op) => (op.variables as { filter: unknown }).filter);
    expect(filters).toContainEqual({ status: ['FAILED'] });
    expect(filters[0]).toBeNull();
  });

  it('shows an artist their own jobs only', async () => {
    signedInAs(['ARTIST'], 'e-a');
    const asked: (string | undefined)[] = [];
    const { client } = mockClient({
      query: (name) =>
        asked.push(name) && name === 'MyRenderJobs'
          ? {
              data: {
                me: {
                  __typename: 'Viewer',
                  employee: {
                    __typename: 'Employee',
                    id: 'e-a',
                    renderJobs: [
                      renderJob({
                        submittedBy: { __typename: 'Employee', id: 'e-a', displayName: 'Ada' },
                      }),
                    ],
                  },
                },
              },
            }
          : { data: null },
    });
    renderWithClient(<RenderPage />, client);
    expect(screen.getByRole('heading', { name: 'My render jobs' })).toBeInTheDocument();
    await screen.findByRole('article', { name: 'SH010 beauty' });
    // Their own job: they may manage it. The tenant's queue is never asked for.
    expect(screen.getByRole('group', { name: 'Actions for SH010 beauty' })).toBeInTheDocument();
    expect(new Set(asked)).toEqual(new Set(['MyRenderJobs']));
  });

  it('shows a failed load with its code and retries', async () => {
    const { client, ofKind } = mockClient({
      query: () => ({
        error: new CombinedError({
          graphQLErrors: [
            { message: 'render is down', extensions: { code: 'SUBGRAPH_UNAVAILABLE' } },
          ],
        }),
      }),
    });
    renderWithClient(<RenderPage />, client);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('render is down');
    expect(alert).toHaveTextContent('Code: SUBGRAPH_UNAVAILABLE');
    const before = ofKind('query').length;
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(ofKind('query').length).toBeGreaterThan(before);
  });

  it('lists workers by pool', async () => {
    const { client } = mockClient({
      query: (name) => (name === 'RenderFarm' ? workers : queue([])),
    });
    renderWithClient(<RenderPage />, client);
    await userEvent.click(screen.getByRole('tab', { name: 'Workers' }));
    expect(await screen.findByRole('rowheader', { name: 'node-01' })).toBeInTheDocument();
    expect(screen.getByRole('rowheader', { name: 'gpu-01' })).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText('Pool'), 'gpu');
    expect(screen.queryByRole('rowheader', { name: 'node-01' })).toBeNull();
    expect(screen.getByRole('row', { name: /gpu-01/ })).toHaveTextContent('Never');
  });

  it('moves between its tabs with the arrow keys', async () => {
    const { client } = mockClient({
      query: (name) => (name === 'RenderFarm' ? workers : queue([])),
    });
    renderWithClient(<RenderPage />, client);
    const jobs = screen.getByRole('tab', { name: 'Jobs' });
    expect(jobs).toHaveAttribute('tabindex', '0');
    expect(screen.getByRole('tab', { name: 'Workers' })).toHaveAttribute('tabindex', '-1');
    jobs.focus();
    await userEvent.keyboard('{ArrowRight}');
    expect(screen.getByRole('tab', { name: 'Workers' })).toHaveFocus();
    expect(screen.getByRole('tab', { name: 'Workers' })).toHaveAttribute('aria-selected', 'true');
    expect(await screen.findByRole('rowheader', { name: 'node-01' })).toBeInTheDocument();
    await userEvent.keyboard('{End}');
    expect(screen.getByRole('tab', { name: 'Cost by shot' })).toHaveFocus();
    await userEvent.keyboard('{ArrowRight}');
    expect(screen.getByRole('tab', { name: 'Jobs' })).toHaveFocus();
  });

  it('shows the cost per shot', async () => {
    const { client } = mockClient({
      query: () =>
        queue([
          renderJob(),
          renderJob({ id: 'j2', cost: { __typename: 'Money', amount: '0.12', currency: 'EUR' } }),
        ]),
    });
    renderWithClient(<RenderPage />, client);
    await userEvent.click(screen.getByRole('tab', { name: 'Cost by shot' }));
    const row = await screen.findByRole('row', { name: /SQ010_SH010/ });
    expect(
      within(row)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['2', '€0.20', '€1.20']);
  });
});
