import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { CombinedError } from 'urql';
import { useAppStore } from '@/stores/app-store';
import { mockClient, renderWithClient } from '@/testing/render';
import { useProjectsUi } from '../stores/projects-ui-store';
import { projectShot, projectTask, projectView } from '../testing';
import { ProjectView } from './project-view';

const initialUi = useProjectsUi.getState();

const risky = projectTask({
  id: 't2',
  name: 'Compositing',
  type: 'COMPOSITING',
  atRisk: true,
  versions: [
    { __typename: 'Version', id: 'v1', number: 1, status: 'RETAKE' },
    { __typename: 'Version', id: 'v2', number: 2, status: 'PENDING_REVIEW' },
  ],
});

beforeEach(() => {
  useProjectsUi.setState(initialUi, true);
  useAppStore.setState({ notices: [], socketStatus: 'idle' });
});

describe('ProjectView', () => {
  it('shows shots with tasks, assignees, versions, render jobs and costs in one query', async () => {
    const { client, ofKind } = mockClient({
      query: () =>
        projectView([projectShot({ tasks: [projectTask(), risky] })], {
          atRisk: [
            {
              __typename: 'Task',
              id: 't2',
              name: 'Compositing',
              dueDate: '2031-03-06',
              atRisk: true,
              shot: { __typename: 'Shot', id: 's1', code: 'SQ010_SH010' },
              asset: null,
              assignee: { __typename: 'Employee', id: 'e1', displayName: 'Ada Artist' },
            },
          ],
        }),
    });
    renderWithClient(<ProjectView id="p1" />, client);
    expect(await screen.findByRole('heading', { name: 'SKY · Skyward' })).toBeInTheDocument();
    // One operation for the whole view (shots, assets, tasks, people, jobs, costs).
    expect(new Set(ofKind('query').map((op) => op.key)).size).toBe(1);
    expect(ofKind('query')[0]?.variables).toMatchObject({ id: 'p1', first: 20 });
    expect(ofKind('subscription')[0]?.variables).toEqual({ projectId: 'p1' });

    const shot = screen.getByRole('article', { name: 'SQ010_SH010' });
    expect(shot).toHaveTextContent('Render cost €3.50');
    const job = within(shot).getByRole('progressbar', { name: 'Progress of beauty' });
    expect(job).toHaveAttribute('value', '2');
    expect(within(shot).getByText(/2 of 5 chunks/)).toHaveTextContent('€1.25');

    const rows = within(shot).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getByRole('rowheader').textContent)).toEqual([
      'LightingLighting',
      'CompositingCompositing',
    ]);
    expect(within(rows[0] as HTMLElement).getByTestId('assignee')).toHaveTextContent('Ada Artist');
    expect(rows[1]).toHaveTextContent('At risk');
    expect(rows[1]).toHaveTextContent('v2 (awaiting review), 2 versions');

    const summary = screen.getByTestId('at-risk-summary');
    expect(within(summary).getByRole('heading')).toHaveTextContent('1 task at risk');
    expect(summary).toHaveTextContent('Compositing · SQ010_SH010 · Ada Artist');
  });

  it('filters to at-risk tasks', async () => {
    const { client } = mockClient({
      query: () => projectView([projectShot({ tasks: [projectTask(), risky] })]),
    });
    renderWithClient(<ProjectView id="p1" />, client);
    const shot = await screen.findByRole('article', { name: 'SQ010_SH010' });
    await userEvent.click(screen.getByLabelText('Only tasks at risk'));
    expect(
      within(shot)
        .getAllByRole('rowheader')
        .map((h) => h.textContent),
    ).toEqual(['CompositingCompositing']);
  });

  it('loads the next page of shots after the first page’s cursor', async () => {
    const { client, ofKind } = mockClient({
      query: (name) =>
        name === 'ProjectShotsPage'
          ? {
              data: {
                project: {
                  __typename: 'Project',
                  id: 'p1',
                  shots: {
                    __typename: 'ShotConnection',
                    totalCount: 2,
                    pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
                    nodes: [projectShot({ id: 's2', code: 'SQ010_SH020', tasks: [] })],
                  },
                },
              },
            }
          : projectView([projectShot()], { moreShots: true }),
    });
    renderWithClient(<ProjectView id="p1" />, client);
    await userEvent.click(await screen.findByRole('button', { name: 'Load more shots' }));
    expect(await screen.findByRole('article', { name: 'SQ010_SH020' })).toBeInTheDocument();
    expect(ofKind('query').at(-1)?.variables).toEqual({ id: 'p1', first: 20, after: 'cursor-1' });
    expect(screen.queryByRole('button', { name: 'Load more shots' })).toBeNull();
  });

  it('says when the project does not exist', async () => {
    const { client } = mockClient({
      query: () => ({
        data: {
          project: null,
          tasks: { __typename: 'TaskConnection', totalCount: 0, nodes: [] },
        },
      }),
    });
    renderWithClient(<ProjectView id="nope" />, client);
    expect(
      await screen.findByText('This project does not exist, or you may not see it.'),
    ).toBeInTheDocument();
  });

  it('shows a failed load with its code', async () => {
    const { client } = mockClient({
      query: () => ({
        error: new CombinedError({
          graphQLErrors: [{ message: 'no access', extensions: { code: 'FORBIDDEN' } }],
        }),
      }),
    });
    renderWithClient(<ProjectView id="p1" />, client);
    expect(await screen.findByRole('alert')).toHaveTextContent('Code: FORBIDDEN');
  });
});
