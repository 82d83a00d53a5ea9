import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { CombinedError } from 'urql';
import { useAppStore } from '@/stores/app-store';
import { mockClient, renderWithClient } from '@/testing/render';
import { useProjectsUi } from '../stores/projects-ui-store';
import { projectTask } from '../testing';
import { TaskTable } from './task-table';

const people = {
  data: {
    employees: {
      __typename: 'EmployeeConnection',
      totalCount: 2,
      nodes: [
        {
          __typename: 'Employee',
          id: 'e1',
          displayName: 'Ada Artist',
          title: 'Animator',
          status: 'ACTIVE',
          department: { __typename: 'Department', id: 'd1', name: 'Animation' },
        },
        {
          __typename: 'Employee',
          id: 'e2',
          displayName: 'Bo Lighter',
          title: null,
          status: 'ON_LEAVE',
          department: null,
        },
      ],
    },
  },
};

const task = projectTask({ assignee: null });

beforeEach(() => {
  useProjectsUi.setState({ assigningTaskId: null, atRiskOnly: false });
  useAppStore.setState({ notices: [] });
});

async function openForm() {
  await userEvent.click(screen.getByRole('button', { name: 'Assign Lighting' }));
  return screen.getByRole('form', { name: 'Assign Lighting' });
}

describe('assigning a task', () => {
  it('lists the people and assigns the chosen one', async () => {
    const { client, ofKind } = mockClient({
      query: () => people,
      mutation: () => ({
        data: {
          assignTask: projectTask({
            assignee: { __typename: 'Employee', id: 'e2', displayName: 'Bo Lighter' },
          }),
        },
      }),
    });
    renderWithClient(<TaskTable tasks={[task]} caption="Tasks" />, client);
    const form = await openForm();
    const select = within(form).getByLabelText('Person');
    await within(form).findByRole('option', { name: 'Ada Artist · Animator · Animation' });
    expect(within(form).getByRole('option', { name: 'Bo Lighter · on leave' })).toBeInTheDocument();
    expect(ofKind('query')[0]?.variables).toEqual({ search: null, first: 100 });

    await userEvent.selectOptions(select, 'e2');
    await userEvent.type(within(form).getByLabelText('Note (optional)'), 'lighting lead');
    await userEvent.click(within(form).getByRole('button', { name: 'Assign' }));
    expect(ofKind('mutation')[0]?.variables).toEqual({
      taskId: 't1',
      employeeId: 'e2',
      note: 'lighting lead',
    });
    expect(useAppStore.getState().notices.map((n) => n.message)).toEqual([
      'Lighting assigned to Bo Lighter.',
    ]);
    expect(screen.queryByRole('form')).toBeNull();
  });

  it('searches the directory', async () => {
    const { client, ofKind } = mockClient({ query: () => people });
    renderWithClient(<TaskTable tasks={[task]} caption="Tasks" />, client);
    const form = await openForm();
    await userEvent.type(within(form).getByLabelText('Search people'), 'bo');
    expect(ofKind('query').at(-1)?.variables).toEqual({ search: 'bo', first: 100 });
  });

  it('shows the leave that makes the person unavailable, with the code', async () => {
    const { client } = mockClient({
      query: () => people,
      mutation: () => ({
        error: new CombinedError({
          graphQLErrors: [
            {
              message:
                'Ada Artist is on approved leave 2031-03-03 to 2031-03-07 over the task’s due date 2031-03-06',
              extensions: {
                code: 'ASSIGNEE_UNAVAILABLE',
                details: {
                  employeeId: 'e1',
                  dueDate: '2031-03-06',
                  conflicts: [{ start: '2031-03-03', end: '2031-03-07' }],
                },
              },
            },
          ],
        }),
      }),
    });
    renderWithClient(<TaskTable tasks={[task]} caption="Tasks" />, client);
    const form = await openForm();
    await within(form).findByRole('option', { name: /Ada Artist/ });
    await userEvent.selectOptions(within(form).getByLabelText('Person'), 'e1');
    await userEvent.click(within(form).getByRole('button', { name: 'Assign' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('Code: ASSIGNEE_UNAVAILABLE');
    const conflicts = within(form).getByTestId('leave-conflicts');
    expect(conflicts).toHaveTextContent('Ada Artist is on approved leave over the due date:');
    const period = within(conflicts).getByRole('listitem');
    expect(period.dataset).toMatchObject({ start: '2031-03-03', end: '2031-03-07' });
    expect(period).toHaveTextContent('Mar 3, 2031 – Mar 7, 2031');
    expect(useAppStore.getState().notices).toEqual([]);
  });

  it('unassigns and cancels', async () => {
    const { client, ofKind } = mockClient({
      query: () => people,
      mutation: () => ({ data: { assignTask: projectTask({ assignee: null }) } }),
    });
    renderWithClient(<TaskTable tasks={[projectTask()]} caption="Tasks" />, client);
    let form = await openForm();
    await userEvent.click(within(form).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('form')).toBeNull();
    form = await openForm();
    await userEvent.click(within(form).getByRole('button', { name: 'Unassign' }));
    expect(ofKind('mutation')[0]?.variables).toEqual({
      taskId: 't1',
      employeeId: null,
      note: null,
    });
    expect(useAppStore.getState().notices.map((n) => n.message)).toEqual([
      'Lighting is now unassigned.',
    ]);
  });
});
