import { Component, Suspense, type ErrorInfo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import { Loading } from '@/components/loading';
import { NETWORK_ERROR, UNKNOWN_ERROR, type ApiError } from '@/lib/api-error';

/** A page's code could not be downloaded (offline, or a deploy replaced its chunk). */
export class PageLoadError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'PageLoadError';
  }
}

function PageFailure({ error, onRetry }: { error: Error; onRetry: () => void }) {
  const { t } = useTranslation();
  const loadFailed = error instanceof PageLoadError;
  const errors: ApiError[] = [
    { message: error.message, code: loadFailed ? NETWORK_ERROR : UNKNOWN_ERROR },
  ];
  return (
    <div className="page">
      <ErrorNotice
        errors={errors}
        title={loadFailed ? t('app.pageLoadFailed') : t('app.pageFailed')}
        onRetry={onRetry}
      />
    </div>
  );
}

interface BoundaryProps {
  /** Leaving the page (another value) clears the failure. */
  resetKey: string;
  children: ReactNode;
}

interface BoundaryState {
  error: Error | null;
}

/** Shows a page's failure, to render or to download, with its message and code. */
class ErrorBoundary extends Component<BoundaryProps, BoundaryState> {
  override state: BoundaryState = { error: null };

  static getDerivedStateFromError(error: unknown): BoundaryState {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error(error, info.componentStack);
  }

  override componentDidUpdate(previous: BoundaryProps): void {
    if (previous.resetKey !== this.props.resetKey && this.state.error) {
      this.setState({ error: null });
    }
  }

  private readonly retry = () => {
    // React.lazy keeps a failed download: only a reload asks for the chunk again.
    if (this.state.error instanceof PageLoadError) window.location.reload();
    else this.setState({ error: null });
  };

  override render() {
    if (this.state.error) return <PageFailure error={this.state.error} onRetry={this.retry} />;
    return this.props.children;
  }
}

/** Around each lazily loaded page: the app's loading state while its code downloads, and its failure. */
export function PageBoundary({ resetKey, children }: BoundaryProps) {
  return (
    <ErrorBoundary resetKey={resetKey}>
      <Suspense fallback={<Loading />}>{children}</Suspense>
    </ErrorBoundary>
  );
}
