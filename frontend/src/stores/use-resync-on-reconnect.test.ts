import { act, renderHook } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { useAppStore } from './app-store';
import { useResyncOnReconnect } from './use-resync-on-reconnect';

describe('useResyncOnReconnect', () => {
  it('resyncs each time the socket comes back, not on the first connection', () => {
    act(() => {
      useAppStore.getState().setSocketStatus('idle');
    });
    const resync = vi.fn();
    renderHook(() => {
      useResyncOnReconnect(resync);
    });
    const status = (s: 'connecting' | 'connected' | 'closed') => {
      act(() => {
        useAppStore.getState().setSocketStatus(s);
      });
    };
    status('connecting');
    status('connected');
    expect(resync).not.toHaveBeenCalled();
    status('closed');
    expect(resync).not.toHaveBeenCalled();
    status('connecting');
    status('connected');
    expect(resync).toHaveBeenCalledTimes(1);
    status('closed');
    status('connected');
    expect(resync).toHaveBeenCalledTimes(2);
  });

  it('calls the latest callback it was given', () => {
    act(() => {
      useAppStore.getState().setSocketStatus('idle');
      useAppStore.getState().setSocketStatus('connected');
    });
    const first = vi.fn();
    const second = vi.fn();
    const { rerender } = renderHook(
      ({ cb }) => {
        useResyncOnReconnect(cb);
      },
      { initialProps: { cb: first } },
    );
    rerender({ cb: second });
    act(() => {
      useAppStore.getState().setSocketStatus('closed');
      useAppStore.getState().setSocketStatus('connected');
    });
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);
  });
});
