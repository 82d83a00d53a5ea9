import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { CombinedError } from 'urql';
import type { SessionUser } from '@/lib/auth-api';
import { useAppStore } from '@/stores/app-store';
import { mockClient, renderWithClient } from '@/testing/render';
import { renderJob } from '../testing';
import { JobCard } from './job-card';

function signedInAs(roles: SessionUser['roles'], employeeId: string | null) {
  useAppStore.setState({
    notices: [],
    user: { id: 'u1', email: 'x@northwind.test', tenantId: 't', employeeId, roles },
  });
}

beforeEach(() => {
  signedInAs(['RENDER_WRANGLER'], 'e-other');
});

describe('JobCard', () => {
  it('shows progress, cost and the shot total', () => {
    const { client } = mockClient({});
    renderWithClient(<JobCard job={renderJob()} />, client);
    const bar = screen.getByRole('progressbar', { name: 'Progress of SH010 beauty' });
    expect(bar).toHaveAttribute('aria-valuenow', '1');
    expect(bar).toHaveAttribute('aria-valuemax', '4');
    expect(bar).toHaveAttribute('aria-valuetext', '1 of 4 chunks (25%)');
    expect(screen.getByTestId('job-cost')).toHaveTextContent('€0.08');
    expect(screen.getByTestId('job-cost')).toHaveTextContent('2 core-hours');
    expect(screen.getByText('Shot SQ010_SH010 in all').nextSibling).toHaveTextContent('€1.20');
  });

  it('offers an operator pause, cancel and priority on a running job, then cancels it', async () => {
    const { client, ofKind } = mockClient({
      mutation: () => ({ data: { cancelRenderJob: renderJob({ status: 'CANCELLED' }) } }),
    });
    renderWithClient(<JobCard job={renderJob()} />, client);
    const group = screen.getByRole('group', { name: 'Actions for SH010 beauty' });
    expect(
      within(group)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Pause', 'Cancel job']);
    expect(screen.queryByRole('button', { name: 'Retry failed chunks' })).toBeNull();
    await userEvent.click(within(group).getByRole('button', { name: 'Cancel job' }));
    expect(ofKind('mutation').map((op) => op.variables)).toEqual([{ id: 'j1' }]);
    expect(useAppStore.getState().notices.map((n) => n.message)).toEqual([
      'SH010 beauty cancelled.',
    ]);
  });

  it('offers only retry on a failed job', () => {
    const { client } = mockClient({});
    renderWithClient(<JobCard job={renderJob({ status: 'FAILED' })} />, client);
    const group = screen.getByRole('group', { name: 'Actions for SH010 beauty' });
    expect(
      within(group)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Retry failed chunks']);
    expect(screen.queryByRole('form', { name: 'Priority of SH010 beauty' })).toBeNull();
  });

  it('offers nothing to an artist on someone else’s job, everything to its submitter', () => {
    signedInAs(['ARTIST'], 'e-stranger');
    const { client } = mockClient({});
    const { unmount } = renderWithClient(<JobCard job={renderJob()} />, client);
    expect(screen.queryByRole('group')).toBeNull();
    expect(screen.queryByRole('form')).toBeNull();
    unmount();
    signedInAs(['ARTIST'], 'e-wrangler');
    renderWithClient(<JobCard job={renderJob()} />, client);
    expect(screen.getByRole('group', { name: 'Actions for SH010 beauty' })).toBeInTheDocument();
  });

  it('sets the priority within 0 to 100', async () => {
    const { client, ofKind } = mockClient({
      mutation: () => ({ data: { setRenderJobPriority: renderJob({ priority: 80 }) } }),
    });
    renderWithClient(<JobCard job={renderJob()} />, client);
    const form = screen.getByRole('form', { name: 'Priority of SH010 beauty' });
    const input = within(form).getByLabelText('Priority');
    const set = within(form).getByRole('button', { name: 'Set' });
    expect(set).toBeDisabled();
    await userEvent.clear(input);
    await userEvent.type(input, '101');
    expect(set).toBeDisabled();
    await userEvent.clear(input);
    await userEvent.type(input, '80');
    await userEvent.click(set);
    expect(ofKind('mutation').map((op) => op.variables)).toEqual([{ id: 'j1', priority: 80 }]);
    expect(useAppStore.getState().notices.map((n) => n.message)).toEqual([
      'SH010 beauty now has priority 80.',
    ]);
  });

  it('reports a refused action with its code', async () => {
    const { client } = mockClient({
      mutation: () => ({
        error: new CombinedError({
          graphQLErrors: [
            { message: 'the job is SUCCEEDED', extensions: { code: 'TRANSITION_NOT_ALLOWED' } },
          ],
        }),
      }),
    });
    renderWithClient(<JobCard job={renderJob({ status: 'QUEUED' })} />, client);
    await userEvent.click(screen.getByRole('button', { name: 'Pause' }));
    expect(useAppStore.getState().notices[0]).toMatchObject({
      kind: 'error',
      message: 'SH010 beauty could not be paused.',
      errors: [{ message: 'the job is SUCCEEDED', code: 'TRANSITION_NOT_ALLOWED' }],
    });
  });
});
