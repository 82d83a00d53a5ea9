import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { Route, Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import { useAppStore } from '@/stores/app-store';
import { mockClient, renderWithClient } from '@/testing/render';
import { useDirectoryStore } from '../stores/directory-store';
import { profile, sessionUser } from '../testing';
import { PeopleRoutes } from './people-routes';

function person(id: string, name: string, status = 'ACTIVE') {
  return {
    __typename: 'Employee',
    id,
    displayName: name,
    employeeNumber: `NW-${id}`,
    email: `${id}@northwind.test`,
    title: 'Animator',
    status,
    department: { __typename: 'Department', id: 'd1', name: 'Animation' },
  };
}

interface DirectoryVariables {
  filter: { search?: string | null; status: string[] };
  after: string | null;
}

function directory(variables: DirectoryVariables) {
  const all = [person('e1', 'Ava Andersen'), person('e2', 'Sam Okafor')];
  const matching = variables.filter.search
    ? all.filter((p) => p.displayName.toLowerCase().includes(variables.filter.search ?? ''))
    : all;
  const page = variables.after === 'c1' ? matching.slice(1) : matching.slice(0, 1);
  return {
    data: {
      employees: {
        __typename: 'EmployeeConnection',
        totalCount: matching.length,
        pageInfo: {
          __typename: 'PageInfo',
          hasNextPage: variables.after === null && matching.length > 1,
          endCursor: 'c1',
        },
        nodes: page,
      },
    },
  };
}

function renderAt(path: string) {
  const location = memoryLocation({ path, record: true });
  const { client, ofKind } = mockClient({
    query: (name, variables) =>
      name === 'EmployeeProfile'
        ? { data: { employee: profile() } }
        : directory(variables as DirectoryVariables),
  });
  renderWithClient(
    <Router hook={location.hook}>
      <Route path="/people" nest>
        <PeopleRoutes />
      </Route>
    </Router>,
    client,
  );
  return { location, ofKind };
}

beforeEach(() => {
  useAppStore.setState({ notices: [], user: sessionUser() });
  useDirectoryStore.setState({ owner: null, search: '', includeOffboarded: false });
});

describe('People (directory and employee pages)', () => {
  it('lists people with their count, active and on leave by default, and pages on', async () => {
    const { ofKind } = renderAt('/people');
    expect(await screen.findByRole('status')).toHaveTextContent('2 people');
    expect(ofKind('query')[0]?.variables).toEqual({
      filter: { search: null, status: ['ACTIVE', 'ON_LEAVE'] },
      first: 25,
      after: null,
    });
    expect(screen.getAllByTestId('directory-row').map((r) => r.dataset.employeeId)).toEqual(['e1']);
    await userEvent.click(screen.getByRole('button', { name: 'Show more people' }));
    await waitFor(() => {
      expect(screen.getAllByTestId('directory-row')).toHaveLength(2);
    });
    expect(ofKind('query').at(-1)?.variables).toMatchObject({ after: 'c1' });
    expect(screen.queryByRole('button', { name: 'Show more people' })).toBeNull();
  });

  it('searches once typing pauses, and can include offboarded people', async () => {
    const { ofKind } = renderAt('/people');
    await screen.findAllByTestId('directory-row');
    await userEvent.type(screen.getByLabelText('Search people'), 'sam');
    await waitFor(() => {
      expect(screen.getByRole('status')).toHaveTextContent('1 person');
    });
    const searches = ofKind('query').map(
      (op) => (op.variables as DirectoryVariables).filter.search,
    );
    // Not one query per keystroke: nothing asked for "s" or "sa".
    expect(new Set(searches)).toEqual(new Set([null, 'sam']));
    await userEvent.click(screen.getByLabelText('Include offboarded people'));
    await waitFor(() => {
      expect(ofKind('query').at(-1)?.variables).toMatchObject({
        filter: { search: 'sam', status: ['ACTIVE', 'ON_LEAVE', 'OFFBOARDED'] },
      });
    });
    // The filters outlive the page (back from an employee page).
    expect(useDirectoryStore.getState()).toMatchObject({ search: 'sam', includeOffboarded: true });
  });

  it('opens an employee from the directory and goes back', async () => {
    const { location, ofKind } = renderAt('/people');
    const row = (await screen.findAllByTestId('directory-row'))[0] as HTMLElement;
    await userEvent.click(within(row).getByRole('link', { name: 'Ava Andersen' }));
    expect(location.history.at(-1)).toBe('/people/e1');
    expect(await screen.findByRole('heading', { name: 'Sam Okafor' })).toBeInTheDocument();
    expect(ofKind('query').at(-1)?.variables).toEqual({
      id: 'e1',
      year: new Date().getFullYear(),
    });
    await userEvent.click(screen.getByRole('link', { name: '← All people' }));
    expect(location.history.at(-1)).toBe('/people');
  });
});
