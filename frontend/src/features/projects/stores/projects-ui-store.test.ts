import { beforeEach, describe, expect, it } from 'vitest';
import { useProjectsUi } from './projects-ui-store';

const initial = useProjectsUi.getState();

beforeEach(() => {
  useProjectsUi.setState(initial, true);
});

describe('projects UI store', () => {
  it('keeps one assign form open at a time', () => {
    const { openAssign, closeAssign } = useProjectsUi.getState();
    openAssign('t1');
    openAssign('t2');
    expect(useProjectsUi.getState().assigningTaskId).toBe('t2');
    closeAssign();
    expect(useProjectsUi.getState().assigningTaskId).toBeNull();
  });

  it('keeps one panel open per view: sharing closes assigning and back', () => {
    const { openAssign, openShare, closeShare } = useProjectsUi.getState();
    openAssign('t1');
    openShare('t2');
    expect(useProjectsUi.getState()).toMatchObject({ assigningTaskId: null, sharingTaskId: 't2' });
    openAssign('t3');
    expect(useProjectsUi.getState()).toMatchObject({ assigningTaskId: 't3', sharingTaskId: null });
    openShare('t3');
    closeShare();
    expect(useProjectsUi.getState().sharingTaskId).toBeNull();
  });

  it('toggles the at-risk filter', () => {
    expect(useProjectsUi.getState().atRiskOnly).toBe(false);
    useProjectsUi.getState().setAtRiskOnly(true);
    expect(useProjectsUi.getState().atRiskOnly).toBe(true);
  });
});
