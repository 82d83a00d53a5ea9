import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { boardTask, start } from '../testing';
import { TaskCard } from './task-card';

function renderCard(task = boardTask()) {
  const onMove = vi.fn();
  render(
    <TaskCard task={task} busy={false} onMove={onMove} onDragStart={vi.fn()} onDragEnd={vi.fn()} />,
  );
  return { onMove };
}

describe('TaskCard', () => {
  it('offers exactly the available transitions and moves with one', async () => {
    const { onMove } = renderCard(
      boardTask({
        availableTransitions: [
          start,
          { __typename: 'TaskTransition', to: 'ON_HOLD', label: 'Put on hold' },
        ],
      }),
    );
    const moves = screen.getByRole('group', { name: 'Move Animation' });
    expect(
      within(moves)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Start', 'Put on hold']);
    await userEvent.click(within(moves).getByRole('button', { name: 'Start' }));
    expect(onMove).toHaveBeenCalledWith(expect.objectContaining({ id: 't1' }), 'IN_PROGRESS');
  });

  it('says so when no move is available', () => {
    renderCard();
    expect(screen.getByText('No moves available to you.')).toBeInTheDocument();
    expect(screen.getByTestId('task-card')).toHaveAttribute('draggable', 'false');
  });

  it('shows the due date, the estimate and the at-risk and overdue badges', () => {
    renderCard(boardTask({ dueDate: '2020-01-15', estimateHours: 6, atRisk: true }));
    expect(screen.getByText(/Due Jan 15, 2020/)).toBeInTheDocument();
    expect(screen.getByText(/6 h estimated/)).toBeInTheDocument();
    expect(screen.getByText('At risk')).toHaveAttribute('title', expect.stringMatching(/leave/));
    expect(screen.getByText('Overdue')).toBeInTheDocument();
  });

  it('never calls an approved task overdue', () => {
    renderCard(boardTask({ status: 'APPROVED', dueDate: '2020-01-15' }));
    expect(screen.queryByText('Overdue')).not.toBeInTheDocument();
  });
});
