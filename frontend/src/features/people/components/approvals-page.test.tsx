import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { CombinedError } from 'urql';
import { makeSubject } from 'wonka';
import { useAppStore } from '@/stores/app-store';
import { stubFetch } from '@/testing/fetch';
import { liveTestClient } from '@/testing/live-client';
import { mockClient, renderWithClient } from '@/testing/render';
import { leaveRequest, sessionUser } from '../testing';
import { ApprovalsPage } from './approvals-page';

/** A pending request as the inbox asks for it; `viewerCanDecide` is the API's answer. */
function pending(id: string, employeeId: string, name: string, viewerCanDecide: boolean) {
  return leaveRequest({
    id,
    viewerCanDecide,
    employee: {
      __typename: 'Employee',
      id: employeeId,
      displayName: name,
      title: 'Animator',
      department: { __typename: 'Department', id: 'd1', name: 'Animation' },
    } as never,
  });
}

// Ari reports to the viewer (Sam); Sam's own request and Bo's (not his report) are pending too,
// listed by the API but not Sam's to decide.
const inbox = {
  data: {
    leaveRequests: {
      __typename: 'LeaveRequestConnection',
      totalCount: 3,
      nodes: [
        pending('l1', 'e-ari', 'Ari Novak', true),
        pending('l2', 'e-sam', 'Sam Okafor', false),
        pending('l3', 'e-bo', 'Bo Lind', false),
      ],
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
  it('offers only the requests the API says the viewer may decide', async () => {
    const { client, ofKind } = mockClient({ query: () => inbox });
    renderWithClient(<ApprovalsPage />, client);
    const cards = await screen.findAllByTestId('approval');
    expect(cards.map((c) => c.dataset.requestId)).toEqual(['l1']);
    expect(cards[0]).toHaveTextContent('Animator · Animation');
    expect(within(cards[0] as HTMLElement).getByRole('button', { name: 'Approve' })).toBeEnabled();
    expect(within(cards[0] as HTMLElement).getByRole('button', { name: 'Reject' })).toBeEnabled();
    // Pending, someone else's, yet not the viewer's to decide: not offered at all.
    expect(screen.queryByText('Bo Lind')).toBeNull();
    expect(screen.queryByText('Sam Okafor')).toBeNull();
    expect(screen.getAllByRole('button', { name: 'Approve' })).toHaveLength(1);
    expect(screen.getAllByRole('button', { name: 'Reject' })).toHaveLength(1);
    // Supervisors do not receive HR's events: no live subscription, a refresh button instead.
    expect(ofKind('subscription')).toHaveLength(0);
    expect(screen.queryByText('Connecting…')).toBeNull();
    expect(screen.getByRole('button', { name: 'Refresh' })).toBeInTheDocument();
  });

  it('says nothing waits when the API lets the viewer decide none of the pending requests', async () => {
    const { client } = mockClient({
      query: () => ({
        data: {
          leaveRequests: {
            __typename: 'LeaveRequestConnection',
            totalCount: 1,
            nodes: [pending('l2', 'e-sam', 'Sam Okafor', false)],
          },
        },
      }),
    });
    renderWithClient(<ApprovalsPage />, client);
    expect(await screen.findByText('No leave request is waiting for you.')).toBeInTheDocument();
    expect(screen.queryByTestId('approval')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
  });

  it('drops a decided request as soon as the decision’s answer is in the cache', async () => {
    const decidable = [
      pending('l1', 'e-ari', 'Ari Novak', true),
      pending('l4', 'e-kim', 'Kim Berg', true),
    ];
    const requests = stubFetch((request) => {
      const body = request.body as { operationName?: string; variables: { id?: string } };
      if (body.operationName === 'LeaveApprovals') {
        return {
          body: {
            data: {
              leaveRequests: {
                __typename: 'LeaveRequestConnection',
                totalCount: decidable.length,
                nodes: decidable,
              },
            },
          },
        };
      }
      if (body.operationName === 'DecideLeave') {
        // The answer: the new status and the flags for the viewer (nothing left to decide).
        const decided = leaveRequest({
          id: body.variables.id ?? '',
          status: 'APPROVED',
          decidedAt: '2026-11-21T09:00:00Z',
          viewerCanDecide: false,
          viewerCanCancel: true,
        });
        return { body: { data: { decideLeave: decided } } };
      }
      throw new Error(`unexpected ${String(body.operationName)}`);
    });
    const { client } = liveTestClient();
    renderWithClient(<ApprovalsPage />, client);
    const cards = await screen.findAllByTestId('approval');
    expect(cards.map((c) => c.dataset.requestId)).toEqual(['l1', 'l4']);
    await userEvent.click(within(cards[0] as HTMLElement).getByRole('button', { name: 'Approve' }));
    await waitFor(() => {
      expect(screen.getAllByTestId('approval').map((c) => c.dataset.requestId)).toEqual(['l4']);
    });
    // The cache did it: the inbox was not asked for again.
    const names = requests.map((r) => (r.body as { operationName?: string }).operationName);
    expect(names.filter((name) => name === 'LeaveApprovals')).toHaveLength(1);
    expect(names).toContain('DecideLeave');
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
