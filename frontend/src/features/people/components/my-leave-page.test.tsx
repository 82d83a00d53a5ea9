import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { CombinedError } from 'urql';
import { useAppStore } from '@/stores/app-store';
import { mockClient, renderWithClient } from '@/testing/render';
import { leaveRequest, sessionUser } from '../testing';
import { MyLeavePage } from './my-leave-page';

const balance = {
  __typename: 'LeaveBalance' as const,
  year: 2026,
  type: 'VACATION' as const,
  allocated: 25,
  used: 3,
  remaining: 22,
};

function myLeave(requests = [leaveRequest()]) {
  return {
    data: {
      me: {
        __typename: 'Viewer',
        employee: { __typename: 'Employee', id: 'e-ari', leaveBalances: [balance] },
      },
      leaveRequests: {
        __typename: 'LeaveRequestConnection',
        totalCount: requests.length,
        nodes: requests,
      },
    },
  };
}

beforeEach(() => {
  useAppStore.setState({
    notices: [],
    user: sessionUser({ id: 'u-ari', roles: ['ARTIST'], employeeId: 'e-ari' }),
  });
});

describe('MyLeavePage', () => {
  it('lists the viewer’s balances and requests', async () => {
    const { client, ofKind } = mockClient({ query: () => myLeave() });
    renderWithClient(<MyLeavePage />, client);
    const vacation = await screen.findByTestId('leave-balance');
    expect(vacation).toHaveTextContent('Vacation 22 days left (3 of 25 used or pending)');
    expect(ofKind('query')[0]?.variables).toEqual({ employeeId: 'e-ari', first: 100 });
    const request = screen.getByTestId('leave-request');
    expect(request).toHaveTextContent('Pending');
    expect(request).toHaveTextContent('3 working days');
  });

  it('requests leave, then asks again for the balances', async () => {
    const { client, ofKind } = mockClient({
      query: () => myLeave(),
      mutation: () => ({ data: { requestLeave: leaveRequest({ id: 'l2', type: 'SICK' }) } }),
    });
    renderWithClient(<MyLeavePage />, client);
    await screen.findByTestId('leave-balance');
    await userEvent.selectOptions(screen.getByLabelText('Type'), 'SICK');
    const start = screen.getByLabelText('First day');
    await userEvent.clear(start);
    await userEvent.type(start, '2026-12-07');
    const end = screen.getByLabelText('Last day');
    await userEvent.clear(end);
    await userEvent.type(end, '2026-12-08');
    await userEvent.type(screen.getByLabelText('Reason (optional)'), 'flu');
    await userEvent.click(screen.getByRole('button', { name: 'Send request' }));
    const input = (ofKind('mutation')[0]?.variables as { input: Record<string, unknown> }).input;
    expect(input).toMatchObject({
      type: 'SICK',
      startDate: '2026-12-07',
      endDate: '2026-12-08',
      reason: 'flu',
    });
    expect(typeof input.idempotencyKey).toBe('string');
    expect(useAppStore.getState().notices.map((n) => n.message)).toEqual([
      'Sick leave from Dec 7, 2026 to Dec 8, 2026 requested.',
    ]);
    expect(ofKind('query').length).toBeGreaterThan(1);
  });

  it('does not send a period that ends before it starts', async () => {
    const { client, ofKind } = mockClient({ query: () => myLeave() });
    renderWithClient(<MyLeavePage />, client);
    await screen.findByTestId('leave-balance');
    const start = screen.getByLabelText('First day');
    await userEvent.clear(start);
    await userEvent.type(start, '2026-12-30');
    const end = screen.getByLabelText('Last day');
    await userEvent.clear(end);
    await userEvent.type(end, '2027-01-02');
    expect(
      screen.getByText('A request cannot span two calendar years; split it.'),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Send request' })).toBeDisabled();
    expect(ofKind('mutation')).toHaveLength(0);
  });

  it('shows a refused request with its code', async () => {
    const { client } = mockClient({
      query: () => myLeave(),
      mutation: () => ({
        error: new CombinedError({
          graphQLErrors: [
            {
              message: '30 days requested but only 22 of 25 remain',
              extensions: { code: 'QUOTA_EXCEEDED' },
            },
          ],
        }),
      }),
    });
    renderWithClient(<MyLeavePage />, client);
    await screen.findByTestId('leave-balance');
    await userEvent.click(screen.getByRole('button', { name: 'Send request' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The request was not accepted.');
    expect(alert).toHaveTextContent('Code: QUOTA_EXCEEDED');
  });

  it('offers a cancellation only where the API says the viewer may cancel', async () => {
    const requests = [
      leaveRequest({ id: 'l1', status: 'APPROVED', viewerCanCancel: true }),
      leaveRequest({ id: 'l2', status: 'REJECTED', decisionComment: 'crunch week' }),
      // Pending, yet the API would refuse its cancellation: no button either.
      leaveRequest({ id: 'l3', status: 'PENDING', startDate: '2026-12-14', endDate: '2026-12-15' }),
    ];
    const { client, ofKind } = mockClient({
      query: () => myLeave(requests),
      mutation: () => ({
        data: {
          cancelLeave: leaveRequest({ id: 'l1', status: 'CANCELLED', viewerCanCancel: false }),
        },
      }),
    });
    renderWithClient(<MyLeavePage />, client);
    const [approved, rejected, pending] = await screen.findAllByTestId('leave-request');
    expect(within(rejected as HTMLElement).queryByRole('button')).toBeNull();
    expect(rejected).toHaveTextContent('Comment: crunch week');
    expect(pending).toHaveTextContent('Pending');
    expect(within(pending as HTMLElement).queryByRole('button')).toBeNull();
    expect(screen.getAllByRole('button', { name: /^Cancel the / })).toHaveLength(1);
    await userEvent.click(
      within(approved as HTMLElement).getByRole('button', {
        name: 'Cancel the Vacation request from Dec 7, 2026 to Dec 9, 2026',
      }),
    );
    expect(ofKind('mutation')[0]?.variables).toEqual({ id: 'l1', comment: null });
    expect(useAppStore.getState().notices.map((n) => n.message)).toEqual([
      'Vacation request cancelled.',
    ]);
  });

  it('explains that an account without an employee record has no leave', () => {
    useAppStore.setState({ user: sessionUser({ employeeId: null }) });
    const { client, ofKind } = mockClient({ query: () => myLeave() });
    renderWithClient(<MyLeavePage />, client);
    expect(
      screen.getByText('Your account has no employee record, so it has no leave.'),
    ).toBeInTheDocument();
    expect(ofKind('query')).toHaveLength(0);
  });
});
