import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { CombinedError } from 'urql';
import { makeSubject } from 'wonka';
import { useAppStore } from '@/stores/app-store';
import { mockClient, renderWithClient } from '@/testing/render';
import { leaveRequest, sessionUser } from '../testing';
import { ApprovalsPage } from './approvals-page';

function pending(id: string, employeeId: string, name: string) {
  return leaveRequest({
    id,
    employee: {
      __typename: 'Employee',
      id: employeeId,
      displayName: name,
      title: 'Animator',
      department: { __typename: 'Department', id: 'd1', name: 'Animation' },
    } as never,
  });
}

const inbox = {
  data: {
    leaveRequests: {
      __typename: 'LeaveRequestConnection',
      totalCount: 2,
      nodes: [pending('l1', 'e-ari', 'Ari Novak'), pending('l2', 'e-sam', 'Sam Okafor')],
    },
  },
};

beforeEach(() => {
  useAppStore.setState({
    notices: [],
    socketStatus: 'idle',
    user: sessionUser({ id: 'u-sup', roles: ['SUPERVISOR'], employeeId: 'e-sam' }),
  });
});

describe('ApprovalsPage', () => {
  it('lists pending requests of others; the viewer’s own is not theirs to decide', async () => {
    const { client, ofKind } = mockClient({ query: () => inbox });
    renderWithClient(<ApprovalsPage />, client);
    const cards = await screen.findAllByTestId('approval');
    expect(cards.map((c) => c.dataset.requestId)).toEqual(['l1']);
    expect(cards[0]).toHaveTextContent('Animator · Animation');
    // Supervisors do not receive HR's events: no live subscription, a refresh button instead.
    expect(ofKind('subscription')).toHaveLength(0);
    expect(screen.queryByText('Connecting…')).toBeNull();
    expect(screen.getByRole('button', { name: 'Refresh' })).toBeInTheDocument();
  });

  it('approves with a comment', async () => {
    const { client, ofKind } = mockClient({
      query: () => inbox,
      mutation: () => ({
        data: {
          decideLeave: leaveRequest({ id: 'l1', status: 'APPROVED', decisionComment: 'enjoy' }),
        },
      }),
    });
    renderWithClient(<ApprovalsPage />, client);
    const card = (await screen.findAllByTestId('approval'))[0] as HTMLElement;
    await userEvent.type(within(card).getByLabelText('Comment for the employee'), 'enjoy');
    await userEvent.click(within(card).getByRole('button', { name: 'Approve' }));
    expect(ofKind('mutation')[0]?.variables).toEqual({ id: 'l1', approve: true, comment: 'enjoy' });
    expect(useAppStore.getState().notices.map((n) => n.message)).toEqual([
      'Leave of Ari Novak approved.',
    ]);
  });

  it('shows a refused decision with its code on the card', async () => {
    const { client } = mockClient({
      query: () => inbox,
      mutation: () => ({
        error: new CombinedError({
          graphQLErrors: [
            {
              message: 'only the employee’s manager or HR may decide',
              extensions: { code: 'FORBIDDEN' },
            },
          ],
        }),
      }),
    });
    renderWithClient(<ApprovalsPage />, client);
    const card = (await screen.findAllByTestId('approval'))[0] as HTMLElement;
    await userEvent.click(within(card).getByRole('button', { name: 'Reject' }));
    expect(await within(card).findByRole('alert')).toHaveTextContent(
      "The decision on Ari Novak's leave failed.",
    );
    expect(within(card).getByRole('alert')).toHaveTextContent('Code: FORBIDDEN');
  });

  it('is live for HR: each leave event asks for the inbox again', async () => {
    useAppStore.setState({ user: sessionUser() });
    const events = makeSubject<{ data: unknown }>();
    const { client, ofKind } = mockClient({ query: () => inbox, subscription: events.source });
    renderWithClient(<ApprovalsPage />, client);
    await screen.findAllByTestId('approval');
    expect(ofKind('subscription')).toHaveLength(1);
    const before = ofKind('query').length;
    // Every event asks again (the subscription stays open after the first).
    for (const [n, type] of ['leave.requested', 'leave.cancelled', 'leave.approved'].entries()) {
      act(() => {
        events.next({
          data: { events: { __typename: 'DomainEvent', id: `ev${n}`, type } },
        });
      });
      await waitFor(() => {
        expect(ofKind('query').length).toBe(before + n + 1);
      });
      expect(ofKind('query').at(-1)?.context.requestPolicy).toBe('network-only');
    }
  });

  it('says when nothing waits', async () => {
    const { client } = mockClient({
      query: () => ({
        data: { leaveRequests: { __typename: 'LeaveRequestConnection', totalCount: 0, nodes: [] } },
      }),
    });
    renderWithClient(<ApprovalsPage />, client);
    expect(await screen.findByText('No leave request is waiting for you.')).toBeInTheDocument();
  });
});
