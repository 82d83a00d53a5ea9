import { beforeEach, describe, expect, it } from 'vitest';
import { useRenderUi } from './render-ui-store';

const initial = useRenderUi.getState();

beforeEach(() => {
  useRenderUi.setState(initial, true);
});

describe('render UI store', () => {
  it('starts on all jobs, every pool', () => {
    expect(useRenderUi.getState()).toMatchObject({
      view: 'jobs',
      statusFilter: 'all',
      workerPool: null,
    });
  });

  it('keeps the view, the status filter and the workers pool', () => {
    const { setView, setStatusFilter, setWorkerPool } = useRenderUi.getState();
    setView('workers');
    setStatusFilter('failed');
    setWorkerPool('gpu');
    expect(useRenderUi.getState()).toMatchObject({
      view: 'workers',
      statusFilter: 'failed',
      workerPool: 'gpu',
    });
    setWorkerPool(null);
    expect(useRenderUi.getState().workerPool).toBeNull();
  });
});
