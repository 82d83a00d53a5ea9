import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CombinedError } from 'urql';
import { beforeEach, describe, expect, it } from 'vitest';
import { useAppStore } from '@/stores/app-store';
import { mockClient, renderWithClient } from '@/testing/render';
import { projectTask } from '../testing';
import { ShareTaskPanel } from './share-task-panel';

const STUDIO = '2b1b1f5c-7e0a-5d3e-9f00-0a1b2c3d4e5f';
const VENDOR = '8c3f6a0e-1d2b-5c4a-8e9f-102030405060';
const OTHER = '11111111-2222-5333-8444-555555555555';

beforeEach(() => {
  useAppStore.setState({
    notices: [],
    user: {
      id: 'u',
      email: 'sup@northwind.test',
      tenantId: STUDIO,
      employeeId: 'e',
      roles: ['SUPERVISOR'],
    },
  });
});

describe('ShareTaskPanel', () => {
  it('lists the current shares and unshares one', async () => {
    const { client, ofKind } = mockClient({
      mutation: () => ({ data: { unshareTask: projectTask({ sharedWith: [] }) } }),
    });
    renderWithClient(<ShareTaskPanel task={projectTask({ sharedWith: [VENDOR] })} />, client);
    const item = screen.getByText(VENDOR).closest('li') as HTMLElement;
    await userEvent.click(
      within(item).getByRole('button', { name: `Unshare Lighting from ${VENDOR}` }),
    );
    expect(ofKind('mutation')[0]?.variables).toEqual({ taskId: 't1', vendorTenantId: VENDOR });
    expect(useAppStore.getState().notices.map((n) => n.message)).toEqual([
      `Lighting no longer shared with vendor ${VENDOR}.`,
    ]);
  });

  it('checks the typed id before sending: format, own studio, already shared', async () => {
    const { client, ofKind } = mockClient({});
    renderWithClient(<ShareTaskPanel task={projectTask({ sharedWith: [VENDOR] })} />, client);
    expect(screen.getByText(/Vendors are not listed here yet/)).toBeInTheDocument();
    const input = screen.getByLabelText('Vendor tenant id');
    const submit = screen.getByRole('button', { name: 'Share with vendor' });
    await userEvent.click(submit);
    expect(screen.getByRole('alert')).toHaveTextContent("Type the vendor's tenant id.");
    await userEvent.type(input, 'vendorx');
    await userEvent.click(submit);
    expect(screen.getByRole('alert')).toHaveTextContent('A tenant id looks like');
    expect(input).toHaveAttribute('aria-invalid', 'true');
    await userEvent.clear(input);
    await userEvent.type(input, STUDIO);
    await userEvent.click(submit);
    expect(screen.getByRole('alert')).toHaveTextContent("That is your own studio's id");
    await userEvent.clear(input);
    await userEvent.type(input, VENDOR.toUpperCase());
    await userEvent.click(submit);
    expect(screen.getByRole('alert')).toHaveTextContent('already shared with this vendor');
    expect(ofKind('mutation')).toHaveLength(0);
  });

  it('shares with a valid id, and shows a refusal with its message and code', async () => {
    let refuse = false;
    const { client, ofKind } = mockClient({
      mutation: () =>
        refuse
          ? {
              error: new CombinedError({
                graphQLErrors: [
                  { message: 'not a vendor tenant', extensions: { code: 'BAD_USER_INPUT' } },
                ],
              }),
            }
          : { data: { shareTask: projectTask({ sharedWith: [VENDOR] }) } },
    });
    renderWithClient(<ShareTaskPanel task={projectTask()} />, client);
    expect(screen.getByText('Not shared with any vendor.')).toBeInTheDocument();
    const input = screen.getByLabelText('Vendor tenant id');
    await userEvent.type(input, ` ${VENDOR} `);
    await userEvent.click(screen.getByRole('button', { name: 'Share with vendor' }));
    expect(ofKind('mutation')[0]?.variables).toEqual({ taskId: 't1', vendorTenantId: VENDOR });
    expect(input).toHaveValue('');
    expect(useAppStore.getState().notices.map((n) => n.message)).toEqual([
      `Lighting shared with vendor ${VENDOR}.`,
    ]);

    refuse = true;
    await userEvent.type(input, OTHER);
    await userEvent.click(screen.getByRole('button', { name: 'Share with vendor' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Sharing Lighting failed.');
    expect(alert).toHaveTextContent('not a vendor tenant');
    expect(alert).toHaveTextContent('BAD_USER_INPUT');
  });
});
