import { beforeEach, describe, expect, it } from 'vitest';
import { useAppStore } from './app-store';
import { MAX_NOTICES } from './ui-slice';

beforeEach(() => {
  useAppStore.setState({ notices: [] });
});

describe('ui slice', () => {
  it('keeps the newest notices only', () => {
    const { notify } = useAppStore.getState();
    for (let i = 0; i < MAX_NOTICES + 2; i++) notify({ kind: 'success', message: `n${i}` });
    const messages = useAppStore.getState().notices.map((n) => n.message);
    expect(messages).toHaveLength(MAX_NOTICES);
    expect(messages.at(-1)).toBe(`n${MAX_NOTICES + 1}`);
  });

  it('dismisses one notice by id and keeps its errors until then', () => {
    const { notify, dismissNotice } = useAppStore.getState();
    const keep = notify({
      kind: 'error',
      message: 'failed',
      errors: [{ message: 'm', code: 'CONFLICT' }],
    });
    const drop = notify({ kind: 'success', message: 'ok' });
    dismissNotice(drop);
    expect(useAppStore.getState().notices).toEqual([
      { id: keep, kind: 'error', message: 'failed', errors: [{ message: 'm', code: 'CONFLICT' }] },
    ]);
  });

  it('counts a reconnection only after a first connection, per client', () => {
    const { setSocketStatus } = useAppStore.getState();
    setSocketStatus('idle');
    const start = useAppStore.getState().reconnects;
    setSocketStatus('connecting');
    setSocketStatus('connected');
    expect(useAppStore.getState().reconnects).toBe(start);
    setSocketStatus('closed');
    setSocketStatus('connecting');
    setSocketStatus('connected');
    expect(useAppStore.getState().reconnects).toBe(start + 1);
    // A new client (after idle) starts over: its first connection is not a reconnection.
    setSocketStatus('idle');
    setSocketStatus('connected');
    expect(useAppStore.getState().reconnects).toBe(start + 1);
  });
});
