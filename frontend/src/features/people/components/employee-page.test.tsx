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
    expect(ofKind('query')[0]?.variables).toEqual({ id: 'e-sam' });
    const personal = screen.getByTestId('employee-private');
    expect(within(personal).getByText('€70,000.00')).toBeInTheDocument();
    expect(within(personal).getByText('sam@example.com')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('hides what the API withholds, without calling it an error', async () => {
    useAppStore.setState({ user: sessionUser({ roles: ['ARTIST'], employeeId: 'e-ari' }) });
    const withheld = profile({ salary: null, phone: null, personalEmail: null, birthDate: null });
    const { client } = mockClient({
      query: () => ({
        data: { employee: { ...withheld, offboardReason: null } },
        error: new CombinedError({
          graphQLErrors: ['salary', 'phone', 'personalEmail', 'birthDate', 'offboardReason'].map(
            (field) => forbiddenAt('employee', field),
          ),
        }),
      }),
    });
    renderWithClient(<EmployeePage id="e-sam" />, client);
    await screen.findByRole('heading', { name: 'Sam Okafor' });
    const personal = screen.getByTestId('employee-private');
    expect(personal).toHaveTextContent('Visible to HR and to the person themself only.');
    expect(within(personal).queryByText('Salary (yearly)')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
    // An artist is offered no offboarding.
    expect(screen.queryByRole('button', { name: /Offboard/ })).toBeNull();
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
