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

  // (The mock client ends a subscription after its first event, so one event per test.)
  it('needs no refetch for a change to a listed job: the cache updates it in place', async () => {
    const live = makeSubject<{ data: unknown }>();
    const { client, ofKind } = mockClient({
      query: () => queue([renderJob()]),
      subscription: live.source,
    });
    renderWithClient(<RenderPage />, client);
    await screen.findByRole('article', { name: 'SH010 beauty' });
    const before = ofKind('query').length;
    act(() => {
      live.next({
        data: {
          renderJobChanged: { __typename: 'RenderJobEvent', kind: 'PROGRESSED', job: renderJob() },
        },
      });
    });
    expect(ofKind('query')).toHaveLength(before);
  });

  it('refetches the first page once when a new job is submitted', async () => {
    const live = makeSubject<{ data: unknown }>();
    const { client, ofKind } = mockClient({
      query: () => queue([renderJob()]),
      subscription: live.source,
    });
    renderWithClient(<RenderPage />, client);
    await screen.findByRole('article', { name: 'SH010 beauty' });
    const before = ofKind('query').length;
    act(() => {
      live.next({
        data: {
          renderJobChanged: {
            __typename: 'RenderJobEvent',
            kind: 'SUBMITTED',
            job: renderJob({ id: 'j2', status: 'QUEUED', createdAt: '2026-01-03T00:00:00Z' }),
          },
        },
      });
    });
    const refetches = ofKind('query').slice(before);
    expect(refetches.map((op) => op.context.requestPolicy)).toEqual(['network-only']);
    expect(refetches[0]?.variables).toMatchObject({ after: null });
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
      query: (name) => (name === 'RenderWorkers' ? workers : queue([])),
    });
    renderWithClient(<RenderPage />, client);
    await userEvent.click(screen.getByRole('tab', { name: 'Workers' }));
    expect(await screen.findByRole('rowheader', { name: 'node-01' })).toBeInTheDocument();
    expect(screen.getByRole('rowheader', { name: 'gpu-01' })).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText('Pool'), 'gpu');
    expect(screen.queryByRole('rowheader', { name: 'node-01' })).toBeNull();
    expect(screen.getByRole('row', { name: /gpu-01/ })).toHaveTextContent('Never');
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
