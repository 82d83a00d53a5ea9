import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { lazy } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { PageBoundary, PageLoadError } from './page-boundary';

function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (reason: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('PageBoundary', () => {
  it('shows the loading state while the page downloads, then the page', async () => {
    const load = deferred<{ default: () => React.JSX.Element }>();
    const Page = lazy(() => load.promise);
    render(
      <PageBoundary resetKey="/tasks">
        <Page />
      </PageBoundary>,
    );
    expect(screen.getByRole('status')).toHaveTextContent('Loading…');
    load.resolve({ default: () => <h1>My tasks</h1> });
    expect(await screen.findByRole('heading', { name: 'My tasks' })).toBeInTheDocument();
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('shows a failed download with its message and NETWORK_ERROR, and reloads to retry', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const reload = vi.fn();
    vi.stubGlobal('location', { reload });
    const Page = lazy(() =>
      Promise.reject(
        new PageLoadError(new TypeError('Failed to fetch dynamically imported module')),
      ),
    );
    render(
      <PageBoundary resetKey="/tasks">
        <Page />
      </PageBoundary>,
    );
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('This page could not be downloaded.');
    expect(alert).toHaveTextContent('Failed to fetch dynamically imported module');
    expect(alert).toHaveTextContent('Code: NETWORK_ERROR');
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(reload).toHaveBeenCalledOnce();
  });

  it('shows a page that failed to render with INTERNAL, cleared by leaving the page', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    function Broken(): React.JSX.Element {
      throw new Error('cannot read the board');
    }
    const { rerender } = render(
      <PageBoundary resetKey="/tasks">
        <Broken />
      </PageBoundary>,
    );
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('This page stopped working.');
    expect(alert).toHaveTextContent('cannot read the board');
    expect(alert).toHaveTextContent('Code: INTERNAL');
    rerender(
      <PageBoundary resetKey="/leave">
        <h1>My leave</h1>
      </PageBoundary>,
    );
    expect(await screen.findByRole('heading', { name: 'My leave' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
