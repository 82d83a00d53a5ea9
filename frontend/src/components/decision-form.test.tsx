import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { DecisionForm } from './decision-form';

const labels = { comment: 'Comment', approve: 'Approve', reject: 'Reject' };

describe('DecisionForm', () => {
  it('sends the decision with the comment, keeps it and shows the code when refused', async () => {
    const onDecide = vi.fn(() =>
      Promise.resolve([{ message: 'already decided', code: 'TRANSITION_NOT_ALLOWED' }]),
    );
    render(<DecisionForm labels={labels} failedTitle="Failed" busy={false} onDecide={onDecide} />);
    await userEvent.type(screen.getByLabelText('Comment'), 'looks good');
    await userEvent.click(screen.getByRole('button', { name: 'Reject' }));
    expect(onDecide).toHaveBeenCalledWith(false, 'looks good');
    expect(await screen.findByRole('alert')).toHaveTextContent('TRANSITION_NOT_ALLOWED');
    expect(screen.getByLabelText('Comment')).toHaveValue('looks good');
  });

  it('clears the comment and the errors once a decision succeeds; disabled while busy', async () => {
    const onDecide = vi.fn(() => Promise.resolve([]));
    const { rerender } = render(
      <DecisionForm labels={labels} failedTitle="Failed" busy={false} onDecide={onDecide} />,
    );
    await userEvent.type(screen.getByLabelText('Comment'), 'ok');
    await userEvent.click(screen.getByRole('button', { name: 'Approve' }));
    expect(onDecide).toHaveBeenCalledWith(true, 'ok');
    expect(screen.getByLabelText('Comment')).toHaveValue('');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    rerender(<DecisionForm labels={labels} failedTitle="Failed" busy onDecide={onDecide} />);
    expect(screen.getByRole('button', { name: 'Approve' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Reject' })).toBeDisabled();
  });
});
