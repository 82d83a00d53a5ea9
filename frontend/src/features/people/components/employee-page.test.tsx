import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { CombinedError } from 'urql';
import { useAppStore } from '@/stores/app-store';
import { mockClient, renderWithClient } from '@/testing/render';
import { forbiddenAt, profile, sessionUser } from '../testing';
import { EmployeePage } from './employee-page';

beforeEach(() => {
  useAppStore.setState({ notices: [], user: sessionUser() });
});

describe('EmployeePage', () => {
  it('shows salary and personal data when the API returns them', async () => {
    const { client, ofKind } = mockClient({ query: () => ({ data: { employee: profile() } }) });
    renderWithClient(<EmployeePage id="e-sam" />, client);
    expect(await screen.findByRole('heading', { name: 'Sam Okafor' })).toBeInTheDocument();
    expect(ofKind('query')[0]?.variables).toEqual({ id: 'e-sam', year: new Date().getFullYear() });
    const personal = screen.getByTestId('employee-private');
    expect(within(personal).getByText('€70,000.00')).toBeInTheDocument();
    expect(within(personal).getByText('sam@example.com')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('hides what the API withholds, without calling it an error', async () => {
    useAppStore.setState({ user: sessionUser({ roles: ['ARTIST'], employeeId: 'e-ari' }) });
    const withheld = profile({
      salary: null,
      phone: null,
      personalEmail: null,
      birthDate: null,
      leaveBalances: null,
      employmentHistory: null,
    });
    const { client } = mockClient({
      query: () => ({
        data: { employee: { ...withheld, offboardReason: null } },
        error: new CombinedError({
          graphQLErrors: [
            'salary',
            'phone',
            'personalEmail',
            'birthDate',
            'offboardReason',
            'leaveBalances',
            'employmentHistory',
          ].map((field) => forbiddenAt('employee', field)),
        }),
      }),
    });
    renderWithClient(<EmployeePage id="e-sam" />, client);
    await screen.findByRole('heading', { name: 'Sam Okafor' });
    const personal = screen.getByTestId('employee-private');
    expect(personal).toHaveTextContent('Visible to HR and to the person themself only.');
    expect(within(personal).queryByText('Salary (yearly)')).toBeNull();
    // Refused balances and history: no section at all, and no error.
    expect(screen.queryByRole('heading', { name: /^Balances/ })).toBeNull();
    expect(screen.queryByTestId('leave-balance')).toBeNull();
    expect(screen.queryByRole('heading', { name: 'Employment history' })).toBeNull();
    expect(screen.queryByTestId('employment-history')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
    // An artist is offered no offboarding.
    expect(screen.queryByRole('button', { name: /Offboard/ })).toBeNull();
  });

  it('shows this year’s leave balances and the employment history when the API returns them', async () => {
    const { client } = mockClient({ query: () => ({ data: { employee: profile() } }) });
    renderWithClient(<EmployeePage id="e-sam" />, client);
    await screen.findByRole('heading', { name: 'Sam Okafor' });
    expect(screen.getByRole('heading', { name: 'Balances 2026' })).toBeInTheDocument();
    expect(screen.getByTestId('leave-balance')).toHaveTextContent(
      'Vacation 20 days left (5 of 25 used or pending)',
    );
    const history = screen.getByRole('region', { name: 'Employment history' });
    const changes = within(history).getAllByTestId('employment-change');
    expect(changes).toHaveLength(2);
    expect(within(changes[0] as HTMLElement).getByRole('heading')).toHaveTextContent(
      'From Mar 1, 2020',
    );
    expect(changes[0]).toHaveTextContent('TitleAnimator');
    expect(changes[0]).toHaveTextContent('DepartmentAnimation');
    expect(changes[0]).toHaveTextContent('Salary (yearly)€52,000.00');
    expect(changes[0]).toHaveTextContent('Reasonhired');
    // What a change left as it was is not listed.
    expect(within(changes[1] as HTMLElement).queryByText('Department')).toBeNull();
    expect(changes[1]).toHaveTextContent('From Jan 1, 2023');
    expect(changes[1]).toHaveTextContent('Reasonpromotion');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('names the year asked for without allocation, and says when no change is recorded', async () => {
    const { client } = mockClient({
      query: () => ({ data: { employee: profile({ leaveBalances: [], employmentHistory: [] }) } }),
    });
    renderWithClient(<EmployeePage id="e-sam" />, client);
    await screen.findByRole('heading', { name: 'Sam Okafor' });
    const year = new Date().getFullYear();
    expect(screen.getByRole('heading', { name: `Balances ${year}` })).toBeInTheDocument();
    expect(screen.getByText('No allocation this year.')).toBeInTheDocument();
    expect(screen.getByTestId('employment-history')).toHaveTextContent('No recorded change.');
  });

  it('shows a manager the balances of a report, without the history the API refuses them', async () => {
    useAppStore.setState({ user: sessionUser({ roles: ['SUPERVISOR'], employeeId: 'e-lead' }) });
    const { client } = mockClient({
      query: () => {
        const refused = ['salary', 'phone', 'personalEmail', 'birthDate', 'employmentHistory'];
        const employee = profile({
          manager: { __typename: 'Employee', id: 'e-lead', displayName: 'Lee Ward' },
          ...Object.fromEntries(refused.map((field) => [field, null])),
        });
        return {
          data: { employee },
          error: new CombinedError({
            graphQLErrors: refused.map((field) => forbiddenAt('employee', field)),
          }),
        };
      },
    });
    renderWithClient(<EmployeePage id="e-sam" />, client);
    await screen.findByRole('heading', { name: 'Sam Okafor' });
    expect(screen.getByTestId('leave-balance')).toHaveTextContent('Vacation 20 days left');
    expect(screen.queryByTestId('employment-history')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows a failure of the balances or history with its code, not as a refusal', async () => {
    const { client } = mockClient({
      query: () => ({
        data: { employee: profile({ leaveBalances: null, employmentHistory: null }) },
        error: new CombinedError({
          graphQLErrors: [
            {
              message: 'leave balances are unavailable',
              path: ['employee', 'leaveBalances'],
              extensions: { code: 'SUBGRAPH_UNAVAILABLE' },
            },
            forbiddenAt('employee', 'employmentHistory'),
          ],
        }),
      }),
    });
    renderWithClient(<EmployeePage id="e-sam" />, client);
    await screen.findByRole('heading', { name: 'Sam Okafor' });
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('leave balances are unavailable Code: SUBGRAPH_UNAVAILABLE');
    // The expected refusal of the history is not reported.
    expect(alert).not.toHaveTextContent('FORBIDDEN');
    expect(within(alert).getAllByRole('listitem')).toHaveLength(1);
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
    expect(screen.queryByTestId('leave-balance')).toBeNull();
    expect(screen.queryByTestId('employment-history')).toBeNull();
    // The rest of the profile is there.
    expect(screen.getByTestId('employee-private')).toHaveTextContent('€70,000.00');
  });

  it('shows other failures with their code next to what did load', async () => {
    const { client } = mockClient({
      query: () => ({
        data: { employee: profile({ department: null }) },
        error: new CombinedError({
          graphQLErrors: [
            {
              message: 'department lookup failed',
              path: ['employee', 'department'],
              extensions: { code: 'SUBGRAPH_UNAVAILABLE' },
            },
          ],
        }),
      }),
    });
    renderWithClient(<EmployeePage id="e-sam" />, client);
    await screen.findByRole('heading', { name: 'Sam Okafor' });
    expect(screen.getByRole('alert')).toHaveTextContent('Code: SUBGRAPH_UNAVAILABLE');
  });

  it('says so when nobody has that id', async () => {
    const { client } = mockClient({ query: () => ({ data: { employee: null } }) });
    renderWithClient(<EmployeePage id="nope" />, client);
    expect(
      await screen.findByText('This person does not exist in your studio.'),
    ).toBeInTheDocument();
  });

  it('offboards after a confirmation step (HR)', async () => {
    const { client, ofKind } = mockClient({
      query: () => ({ data: { employee: profile() } }),
      mutation: () => ({
        data: {
          offboardEmployee: {
            __typename: 'Employee',
            id: 'e-sam',
            status: 'OFFBOARDED',
            endDate: '2026-12-31',
            offboardReason: 'contract ended',
          },
        },
      }),
    });
    renderWithClient(<EmployeePage id="e-sam" />, client);
    await userEvent.click(await screen.findByRole('button', { name: 'Offboard Sam Okafor…' }));
    const date = screen.getByLabelText('Last day (effective date)');
    await userEvent.clear(date);
    await userEvent.type(date, '2026-12-31');
    const next = screen.getByRole('button', { name: 'Review offboarding' });
    expect(next).toBeDisabled();
    await userEvent.type(screen.getByLabelText('Reason'), 'contract ended');
    await userEvent.click(next);
    // Nothing is sent before the confirmation.
    expect(ofKind('mutation')).toHaveLength(0);
    expect(
      screen.getByRole('heading', { name: 'Offboard Sam Okafor on Dec 31, 2026?' }),
    ).toHaveFocus();
    await userEvent.click(screen.getByRole('button', { name: 'Offboard Sam Okafor' }));
    expect(ofKind('mutation')[0]?.variables).toEqual({
      id: 'e-sam',
      effectiveDate: '2026-12-31',
      reason: 'contract ended',
    });
    expect(useAppStore.getState().notices.map((n) => n.message)).toEqual([
      'Sam Okafor is offboarded from Dec 31, 2026.',
    ]);
  });

  it('offers no offboarding of oneself', async () => {
    useAppStore.setState({ user: sessionUser({ employeeId: 'e-sam' }) });
    const { client } = mockClient({ query: () => ({ data: { employee: profile() } }) });
    renderWithClient(<EmployeePage id="e-sam" />, client);
    await screen.findByRole('heading', { name: 'Sam Okafor' });
    expect(screen.queryByRole('button', { name: /Offboard/ })).toBeNull();
  });

  it('shows a refused offboarding with its code and stays on the confirmation', async () => {
    const { client } = mockClient({
      query: () => ({ data: { employee: profile() } }),
      mutation: () => ({
        error: new CombinedError({
          graphQLErrors: [
            { message: 'employee is already offboarded', extensions: { code: 'CONFLICT' } },
          ],
        }),
      }),
    });
    renderWithClient(<EmployeePage id="e-sam" />, client);
    await userEvent.click(await screen.findByRole('button', { name: 'Offboard Sam Okafor…' }));
    await userEvent.type(screen.getByLabelText('Reason'), 'x');
    await userEvent.click(screen.getByRole('button', { name: 'Review offboarding' }));
    await userEvent.click(screen.getByRole('button', { name: 'Offboard Sam Okafor' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'employee is already offboarded Code: CONFLICT',
    );
    expect(screen.getByRole('button', { name: 'Back' })).toBeInTheDocument();
  });
});
