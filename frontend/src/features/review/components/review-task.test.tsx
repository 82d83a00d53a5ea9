import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ReviewTaskFieldsFragment } from '@/gql/graphql';
import { useAppStore } from '@/stores/app-store';
import { mockClient, renderWithClient } from '@/testing/render';
import { ReviewTask } from './review-task';

function version(number: number, status: 'PENDING_REVIEW' | 'RETAKE') {
  return {
    __typename: 'Version' as const,
    id: `v${number}`,
    number,
    path: `/shows/sky/v${number}.exr`,
    comment: number === 2 ? 'fixed the arm' : null,
    status,
    createdAt: '2026-01-02T10:00:00Z',
    frameStart: 1001,
    frameEnd: 1100,
    createdBy: { __typename: 'Employee' as const, id: 'e1', displayName: 'Ada' },
  };
}

const task: ReviewTaskFieldsFragment = {
  __typename: 'Task',
  id: 't1',
  name: 'Animation',
  status: 'PENDING_REVIEW',
  project: { __typename: 'Project', id: 'p', code: 'SKY' },
  shot: { __typename: 'Shot', id: 's', code: 'SH010' },
  asset: null,
  assignee: { __typename: 'Employee', id: 'e1', displayName: 'Ada' },
  versions: [version(1, 'RETAKE'), version(2, 'PENDING_REVIEW')],
};

beforeEach(() => {
  useAppStore.setState({ notices: [] });
});

describe('ReviewTask', () => {
  it('lists versions newest first; only the pending one can be reviewed', () => {
    const { client } = mockClient({});
    renderWithClient(<ReviewTask task={task} />, client);
    const items = screen.getAllByTestId('version');
    expect(items.map((i) => i.dataset.versionNumber)).toEqual(['2', '1']);
    expect(within(items[0] as HTMLElement).getByText('fixed the arm')).toBeInTheDocument();
    expect(within(items[1] as HTMLElement).queryByRole('button', { name: 'Approve' })).toBeNull();
  });

  it('asks for a retake with the comment', async () => {
    const { client, ofKind } = mockClient({
      mutation: () => ({
        data: {
          reviewVersion: {
            __typename: 'Version',
            id: 'v2',
            status: 'RETAKE',
            reviewedAt: '2026-01-02T11:00:00Z',
            task: { __typename: 'Task', id: 't1', status: 'RETAKE' },
          },
        },
      }),
    });
    renderWithClient(<ReviewTask task={task} />, client);
    await userEvent.type(screen.getByLabelText('Review comment'), 'arm pops at 1040');
    await userEvent.click(screen.getByRole('button', { name: 'Ask for a retake' }));
    expect(ofKind('mutation')[0]?.variables).toEqual({
      versionId: 'v2',
      approve: false,
      comment: 'arm pops at 1040',
    });
    expect(useAppStore.getState().notices.map((n) => n.message)).toEqual([
      'Retake asked for v2 of Animation.',
    ]);
  });
});
