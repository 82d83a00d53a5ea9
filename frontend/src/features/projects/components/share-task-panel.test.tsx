import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Client, CombinedError } from 'urql';
import { beforeEach, describe, expect, it } from 'vitest';
import { never } from 'wonka';
import { useAppStore } from '@/stores/app-store';
import { mockClient, renderWithClient } from '@/testing/render';
import { projectTask } from '../testing';
import { ShareTaskPanel } from './share-task-panel';

const STUDIO = '2b1b1f5c-7e0a-5d3e-9f00-0a1b2c3d4e5f';
const VENDOR = '8c3f6a0e-1d2b-5c4a-8e9f-102030405060';
const OTHER = '11111111-2222-5333-8444-555555555555';
const GONE = '99999999-8888-5777-8666-555555555555';

const vendorTenants = {
  data: {
    vendorTenants: [
      { __typename: 'VendorTenant', id: OTHER, slug: 'pixelworks', name: 'Pixelworks' },
      { __typename: 'VendorTenant', id: VENDOR, slug: 'vendorx', name: 'VendorX FX' },
    ],
  },
};

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
  it('names the current shares (the id when the vendor is not listed) and unshares one', async () => {
    const { client, ofKind } = mockClient({
      query: () => vendorTenants,
      mutation: () => ({ data: { unshareTask: projectTask({ sharedWith: [GONE] }) } }),
    });
    renderWithClient(<ShareTaskPanel task={projectTask({ sharedWith: [VENDOR, GONE] })} />, client);
    const item = (await screen.findByText('VendorX FX', { selector: 'li span' })).closest(
      'li',
    ) as HTMLElement;
    expect(item.dataset.vendorId).toBe(VENDOR);
    expect(within(item).queryByText(VENDOR)).toBeNull();
    const unknown = screen.getByText(GONE).closest('li') as HTMLElement;
    expect(unknown.dataset.vendorId).toBe(GONE);
    expect(
      within(unknown).getByRole('button', { name: `Unshare Lighting from ${GONE}` }),
    ).toBeInTheDocument();

    await userEvent.click(
      within(item).getByRole('button', { name: 'Unshare Lighting from VendorX FX' }),
    );
    expect(ofKind('mutation')[0]?.variables).toEqual({ taskId: 't1', vendorTenantId: VENDOR });
    expect(useAppStore.getState().notices.map((n) => n.message)).toEqual([
      'Lighting no longer shared with VendorX FX.',
    ]);
  });

  it('offers the vendors by name and checks the choice: one chosen, not already shared', async () => {
    const { client, ofKind } = mockClient({ query: () => vendorTenants });
    renderWithClient(<ShareTaskPanel task={projectTask({ sharedWith: [VENDOR] })} />, client);
    const select = screen.getByLabelText('Vendor');
    await screen.findByRole('option', { name: 'VendorX FX' });
    expect(
      within(select)
        .getAllByRole('option')
        .map((o) => [o.getAttribute('value'), o.textContent]),
    ).toEqual([
      ['', 'Choose a vendor'],
      [OTHER, 'Pixelworks'],
      [VENDOR, 'VendorX FX'],
    ]);
    const submit = screen.getByRole('button', { name: 'Share with vendor' });
    await userEvent.click(submit);
    expect(screen.getByRole('alert')).toHaveTextContent('Choose a vendor.');
    expect(select).toHaveAttribute('aria-invalid', 'true');
    await userEvent.selectOptions(select, 'VendorX FX');
    expect(select).toHaveAttribute('aria-invalid', 'false');
    await userEvent.click(submit);
    expect(screen.getByRole('alert')).toHaveTextContent('already shared with this vendor');
    expect(ofKind('mutation')).toHaveLength(0);
  });

  it('shares with the chosen vendor, and shows a refusal with its message and code', async () => {
    let refuse = false;
    const { client, ofKind } = mockClient({
      query: () => vendorTenants,
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
    const select = screen.getByLabelText('Vendor');
    await screen.findByRole('option', { name: 'VendorX FX' });
    await userEvent.selectOptions(select, 'VendorX FX');
    await userEvent.click(screen.getByRole('button', { name: 'Share with vendor' }));
    expect(ofKind('mutation')[0]?.variables).toEqual({ taskId: 't1', vendorTenantId: VENDOR });
    expect(select).toHaveValue('');
    expect(useAppStore.getState().notices.map((n) => n.message)).toEqual([
      'Lighting shared with VendorX FX.',
    ]);

    refuse = true;
    await userEvent.selectOptions(select, 'Pixelworks');
    await userEvent.click(screen.getByRole('button', { name: 'Share with vendor' }));
    expect(ofKind('mutation')[1]?.variables).toEqual({ taskId: 't1', vendorTenantId: OTHER });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Sharing Lighting failed.');
    expect(alert).toHaveTextContent('not a vendor tenant');
    expect(alert).toHaveTextContent('BAD_USER_INPUT');
  });

  it('waits for the vendors to load', () => {
    // An exchange that never answers: the list stays loading.
    const client = new Client({ url: '/graphql', exchanges: [() => () => never] });
    renderWithClient(<ShareTaskPanel task={projectTask()} />, client);
    const select = screen.getByLabelText('Vendor');
    expect(within(select).getByRole('option', { name: 'Loading…' })).toBeInTheDocument();
    expect(select).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Share with vendor' })).toBeDisabled();
  });

  it('says when there is no vendor to share with', async () => {
    const { client } = mockClient({ query: () => ({ data: { vendorTenants: [] } }) });
    renderWithClient(<ShareTaskPanel task={projectTask()} />, client);
    const select = screen.getByLabelText('Vendor');
    await within(select).findByRole('option', { name: 'No vendor to share with' });
    expect(select).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Share with vendor' })).toBeDisabled();
  });

  it('shows why the vendors could not be listed, with the code, and retries', async () => {
    let fail = true;
    const { client, ofKind } = mockClient({
      query: () =>
        fail
          ? {
              error: new CombinedError({
                graphQLErrors: [{ message: 'not allowed', extensions: { code: 'FORBIDDEN' } }],
              }),
            }
          : vendorTenants,
    });
    renderWithClient(<ShareTaskPanel task={projectTask({ sharedWith: [VENDOR] })} />, client);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The vendors could not be listed.');
    expect(alert).toHaveTextContent('not allowed');
    expect(alert).toHaveTextContent('Code: FORBIDDEN');
    // Without the list, the share is shown by its id.
    expect(screen.getByText(VENDOR)).toBeInTheDocument();

    fail = false;
    const asked = ofKind('query').length;
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('VendorX FX', { selector: 'li span' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(ofKind('query').length).toBeGreaterThan(asked);
  });
});
