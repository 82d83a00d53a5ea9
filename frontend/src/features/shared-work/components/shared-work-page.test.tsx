import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Client, CombinedError } from 'urql';
import { never } from 'wonka';
import { beforeEach, describe, expect, it } from 'vitest';
import { useAppStore } from '@/stores/app-store';
import { mockClient, renderWithClient } from '@/testing/render';
import { sharedTask, sharedWork } from '../testing';
import { SharedWorkPage } from './shared-work-page';

const VENDOR_TENANT = '8c3f6a0e-1d2b-5c4a-8e9f-102030405060';

const version = (number: number, status: 'PENDING_REVIEW' | 'APPROVED' | 'RETAKE') => ({
  __typename: 'Version' as const,
  id: `v${number}`,
  number,
  status,
  path: `/shows/sky/comp_v00${number}.exr`,
  comment: number === 4 ? 'edge fixed' : null,
  createdAt: '2031-03-01T10:00:00Z',
  frameStart: 1001,
  frameEnd: 1040,
});

const comp = sharedTask({
  versions: [
    version(1, 'RETAKE'),
    version(2, 'RETAKE'),
    version(3, 'RETAKE'),
    version(4, 'PENDING_REVIEW'),
  ],
  notes: [
    {
      __typename: 'Note',
      id: 'n1',
      kind: 'REVIEW',
      body: 'Edges chatter at 1020',
      createdAt: '2031-03-01T11:00:00Z',
      version: { __typename: 'Version', id: 'v3', number: 3 },
    },
    {
      __typename: 'Note',
      id: 'n2',
      kind: 'SYSTEM',
      body: 'Unassigned: the assignee is on leave',
      createdAt: '2031-03-01T12:00:00Z',
      version: null,
    },
  ],
});
const prop = sharedTask({
  id: 't2',
  name: 'Model',
  type: 'MODELING',
  status: 'READY',
  dueDate: null,
  project: { __typename: 'Project', id: 'p0', code: 'ALP', name: 'Alpine' },
  shot: null,
  asset: { __typename: 'Asset', id: 'a1', code: 'PRP_LAMP', name: 'Lamp' },
});

beforeEach(() => {
  useAppStore.setState({
    notices: [],
    user: {
      id: 'u1',
      email: 'lead@vendorx.test',
      tenantId: VENDOR_TENANT,
      employeeId: null,
      roles: ['VENDOR'],
    },
  });
});

describe('SharedWorkPage', () => {
  it('lists the shared tasks by project, read-only, with versions and notes', async () => {
    const { client, ofKind } = mockClient({ query: () => sharedWork([comp, prop]) });
    renderWithClient(<SharedWorkPage />, client);
    await screen.findByRole('heading', { name: 'Shared work' });
    expect(ofKind('query')[0]?.variables).toEqual({ first: 100 });
    expect(screen.getByTestId('vendor-tenant-id')).toHaveTextContent(VENDOR_TENANT);

    const projects = await screen.findAllByTestId('shared-project');
    expect(projects.map((p) => within(p).getByRole('heading', { level: 2 }).textContent)).toEqual([
      'ALP · Alpine',
      'SKY · Skyward',
    ]);
    const task = screen.getByRole('article', { name: 'Comp' });
    expect(task).toHaveTextContent('Shot SQ010_SH020');
    expect(within(task).getByTestId('shared-status')).toHaveTextContent('In progress');
    expect(task).toHaveTextContent(/Due Mar 6, 2031/);
    // The three newest versions, newest first.
    expect(within(task).getByText('Latest 3 of 4 versions')).toBeInTheDocument();
    expect(
      within(task)
        .getAllByTestId('shared-version')
        .map((v) => v.dataset.versionNumber),
    ).toEqual(['4', '3', '2']);
    expect(within(task).getByText('edge fixed')).toBeInTheDocument();
    // Notes, never a SYSTEM one.
    expect(within(task).getAllByTestId('shared-note')).toHaveLength(1);
    expect(within(task).getByText('Edges chatter at 1020')).toBeInTheDocument();
    expect(within(task).queryByText(/assignee is on leave/)).toBeNull();

    const model = screen.getByRole('article', { name: 'Model' });
    expect(model).toHaveTextContent('Asset PRP_LAMP (Lamp)');
    expect(model).toHaveTextContent('No due date');
    expect(model).toHaveTextContent('No versions yet.');
    // Read-only: no task offers any action.
    for (const article of screen.getAllByTestId('shared-task')) {
      expect(within(article).queryAllByRole('button')).toHaveLength(0);
      expect(within(article).queryAllByRole('textbox')).toHaveLength(0);
    }
  });

  it('refreshes from the network and shows more when there are more', async () => {
    const { client, ofKind } = mockClient({ query: () => sharedWork([comp], 150) });
    renderWithClient(<SharedWorkPage />, client);
    expect(await screen.findByText('Showing 1 of 150 shared tasks')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Show more tasks' }));
    expect(ofKind('query').at(-1)?.variables).toEqual({ first: 200 });
    await userEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(ofKind('query').at(-1)?.context.requestPolicy).toBe('network-only');
  });

  it('says when nothing is shared', async () => {
    const { client } = mockClient({ query: () => sharedWork([]) });
    renderWithClient(<SharedWorkPage />, client);
    expect(await screen.findByTestId('shared-empty')).toHaveTextContent(
      'No studio has shared any work with you yet.',
    );
  });

  it('shows the loading state while the query is out', () => {
    // A client whose network never answers.
    const client = new Client({ url: '/graphql', exchanges: [() => () => never] });
    renderWithClient(<SharedWorkPage />, client);
    expect(screen.getByRole('status')).toHaveTextContent('Loading');
    expect(screen.queryByRole('button', { name: 'Refresh' })).toBeNull();
  });

  it('shows an error with its message and code and a retry', async () => {
    const { client } = mockClient({
      query: () => ({
        error: new CombinedError({
          graphQLErrors: [{ message: 'not allowed', extensions: { code: 'FORBIDDEN' } }],
        }),
      }),
    });
    renderWithClient(<SharedWorkPage />, client);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('not allowed');
    expect(alert).toHaveTextContent('FORBIDDEN');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});
