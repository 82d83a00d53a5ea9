import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CombinedError } from 'urql';
import type { RenderFarmQuery } from '@/gql/graphql';
import { stubFetch } from '@/testing/fetch';
import { liveTestClient } from '@/testing/live-client';
import { mockClient, renderWithClient } from '@/testing/render';
import { WORKERS_REFRESH_MS } from '../api/use-render-workers';
import { useRenderUi } from '../stores/render-ui-store';
import { quotaPercent, type RenderPool } from './pool-card';
import { WorkersView } from './workers-view';

const initialUi = useRenderUi.getState();

function pool(overrides: Partial<RenderPool> & { name: string }): RenderPool {
  return {
    __typename: 'RenderPool',
    ratePerCoreHour: { __typename: 'Money', amount: '0.05', currency: 'EUR' },
    quotaCores: 512,
    runningCores: 96,
    queuedTasks: 12,
    onlineWorkers: 1,
    capacityCores: 1024,
    ...overrides,
  };
}

/** cpu: a quota, partly used; gpu: no quota; sim: full, and no worker of the tenant in it. */
const farm: RenderFarmQuery = {
  __typename: 'Query',
  renderPools: [
    pool({ name: 'cpu' }),
    pool({
      name: 'gpu',
      ratePerCoreHour: { __typename: 'Money', amount: '1.20', currency: 'EUR' },
      quotaCores: null,
      runningCores: 8,
      queuedTasks: 0,
      onlineWorkers: 1,
      capacityCores: 8,
    }),
    pool({
      name: 'sim',
      quotaCores: 64,
      runningCores: 64,
      queuedTasks: 3,
      onlineWorkers: 0,
      capacityCores: 2048,
    }),
  ],
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
};

const fact = (card: HTMLElement, testId: string) => within(card).getByTestId(testId).textContent;

beforeEach(() => {
  useRenderUi.setState(initialUi, true);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('WorkersView', () => {
  it('shows every pool: rate, the use against the quota (or none), queued chunks and capacity', async () => {
    const { client } = mockClient({
      query: (name) => (name === 'RenderFarm' ? { data: farm } : { data: null }),
    });
    renderWithClient(<WorkersView />, client);

    const cpu = await screen.findByRole('article', { name: 'cpu' });
    expect(fact(cpu, 'pool-rate')).toBe('€0.05 per core-hour');
    const meter = within(cpu).getByRole('meter', {
      name: 'Your cores in use in cpu, against your quota',
    });
    expect(meter).toHaveAttribute('aria-valuenow', '96');
    expect(meter).toHaveAttribute('aria-valuemax', '512');
    expect(meter).toHaveAttribute('aria-valuetext', '96 of 512 cores');
    expect(meter.firstElementChild).toHaveStyle({ width: '19%' });
    expect(fact(cpu, 'pool-use')).toBe('96 of 512 cores');
    expect(fact(cpu, 'pool-queued')).toBe('12');
    expect(fact(cpu, 'pool-workers')).toBe('1');
    expect(fact(cpu, 'pool-capacity')).toBe('1,024 cores');
    expect(within(cpu).queryByText('At quota')).toBeNull();

    // No quota: the cores in use, and no meter.
    const gpu = screen.getByRole('article', { name: 'gpu' });
    expect(fact(gpu, 'pool-rate')).toBe('€1.20 per core-hour');
    expect(fact(gpu, 'pool-use')).toBe('8 cores in use, no quota');
    expect(within(gpu).queryByRole('meter')).toBeNull();
    expect(fact(gpu, 'pool-queued')).toBe('0');
    expect(fact(gpu, 'pool-capacity')).toBe('8 cores');

    // At its quota: chunks wait, though the pool has room.
    const sim = screen.getByRole('article', { name: 'sim' });
    expect(within(sim).getByRole('meter')).toHaveAttribute('aria-valuetext', '64 of 64 cores');
    expect(within(sim).getByText('At quota')).toBeInTheDocument();
    expect(fact(sim, 'pool-queued')).toBe('3');
    expect(fact(sim, 'pool-workers')).toBe('0');
    expect(fact(sim, 'pool-capacity')).toBe('2,048 cores');

    expect(screen.getByRole('rowheader', { name: 'node-01' })).toBeInTheDocument();
  });

  it('lists every pool in the filter, also one without workers, and filters pools and workers', async () => {
    const { client } = mockClient({ query: () => ({ data: farm }) });
    renderWithClient(<WorkersView />, client);
    await screen.findByRole('article', { name: 'cpu' });

    const filter = screen.getByLabelText('Pool');
    expect(
      within(filter)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['All pools', 'cpu', 'gpu', 'sim']);
    await userEvent.selectOptions(filter, 'sim');
    expect(useRenderUi.getState().workerPool).toBe('sim');
    expect(screen.getByRole('article', { name: 'sim' })).toBeInTheDocument();
    expect(screen.queryByRole('article', { name: 'cpu' })).toBeNull();
    expect(screen.queryByRole('rowheader')).toBeNull();
    expect(screen.getByText('You have no render nodes in sim.')).toBeInTheDocument();

    await userEvent.selectOptions(filter, 'gpu');
    expect(screen.getAllByRole('article').map((a) => a.getAttribute('data-pool'))).toEqual(['gpu']);
    expect(screen.getByRole('rowheader', { name: 'gpu-01' })).toBeInTheDocument();
    expect(screen.queryByRole('rowheader', { name: 'node-01' })).toBeNull();
  });

  it('shows a failed load with its message and code, and tries again', async () => {
    let fail = true;
    const { client, ofKind } = mockClient({
      query: () =>
        fail
          ? {
              error: new CombinedError({
                graphQLErrors: [
                  { message: 'render is down', extensions: { code: 'SUBGRAPH_UNAVAILABLE' } },
                ],
              }),
            }
          : { data: farm },
    });
    renderWithClient(<WorkersView />, client);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('render is down');
    expect(alert).toHaveTextContent('Code: SUBGRAPH_UNAVAILABLE');
    expect(screen.queryByRole('article')).toBeNull();

    fail = false;
    const before = ofKind('query').length;
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('article', { name: 'cpu' })).toBeInTheDocument();
    expect(ofKind('query').length).toBeGreaterThan(before);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('asks for pools and workers again every 15 seconds', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { client, ofKind } = mockClient({ query: () => ({ data: farm }) });
    renderWithClient(<WorkersView />, client);
    await screen.findByRole('article', { name: 'cpu' });
    const before = ofKind('query').length;
    act(() => {
      vi.advanceTimersByTime(WORKERS_REFRESH_MS);
    });
    const again = ofKind('query').slice(before);
    expect(again.map((op) => op.context.requestPolicy)).toEqual(['network-only']);
    expect(again[0]?.query.loc?.source.body).toMatch(/renderPools[\s\S]*renderWorkers/);
  });

  it('reads the pools through the app’s normalized cache, as embedded values', async () => {
    const warn = vi.spyOn(console, 'warn');
    stubFetch(() => ({ body: { data: farm } }));
    const { client } = liveTestClient();
    renderWithClient(<WorkersView />, client);
    const cpu = await screen.findByRole('article', { name: 'cpu' });
    expect(fact(cpu, 'pool-use')).toBe('96 of 512 cores');
    expect(screen.getByRole('article', { name: 'gpu' })).toBeInTheDocument();
    expect(warn.mock.calls.flat().join('\n')).not.toMatch(/RenderPool/);
  });
});

describe('quotaPercent', () => {
  it('is the share of the quota in use, at most 100', () => {
    expect(quotaPercent(96, 512)).toBe(19);
    expect(quotaPercent(0, 512)).toBe(0);
    expect(quotaPercent(600, 512)).toBe(100);
    expect(quotaPercent(0, 0)).toBe(0);
    expect(quotaPercent(4, 0)).toBe(100);
  });
});
