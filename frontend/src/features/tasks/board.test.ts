import { describe, expect, it } from 'vitest';
import { groupByStatus, STATUS_ORDER, taskContext, transitionTo } from './board';
import { boardTask, start } from './testing';

describe('board', () => {
  it('has every status as a column, in workflow order', () => {
    const columns = groupByStatus([boardTask({ status: 'APPROVED' })]);
    expect(columns.map((c) => c.status)).toEqual(STATUS_ORDER);
    expect(columns.find((c) => c.status === 'APPROVED')?.tasks).toHaveLength(1);
  });

  it('orders a column by due date (undated last), then name', () => {
    const tasks = [
      boardTask({ id: 'a', name: 'B', dueDate: null }),
      boardTask({ id: 'b', name: 'Z', dueDate: '2026-01-02' }),
      boardTask({ id: 'c', name: 'A', dueDate: null }),
      boardTask({ id: 'd', name: 'Y', dueDate: '2026-01-01' }),
    ];
    const ready = groupByStatus(tasks).find((c) => c.status === 'READY');
    expect(ready?.tasks.map((t) => t.id)).toEqual(['d', 'b', 'c', 'a']);
  });

  it('finds only the transitions the server offers', () => {
    const task = boardTask({ availableTransitions: [start] });
    expect(transitionTo(task, 'IN_PROGRESS')?.label).toBe('Start');
    expect(transitionTo(task, 'ON_HOLD')).toBeNull();
  });

  it('names the project and the shot or asset', () => {
    expect(taskContext(boardTask())).toBe('SKY · SQ010_SH010');
    expect(
      taskContext(boardTask({ shot: null, asset: { __typename: 'Asset', id: 'a', code: 'HERO' } })),
    ).toBe('SKY · HERO');
  });
});
