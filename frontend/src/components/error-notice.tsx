import { useTranslation } from 'react-i18next';
import type { ApiError } from '@/lib/api-error';

interface ErrorNoticeProps {
  errors: ApiError[];
  title?: string;
  onRetry?: () => void;
}

/** Every error with its message and its contract code. */
export function ErrorNotice({ errors, title, onRetry }: ErrorNoticeProps) {
  const { t } = useTranslation();
  if (errors.length === 0) return null;
  return (
    <div className="error-notice" role="alert">
      <p className="error-notice__title">{title ?? t('errors.title')}</p>
      <ul>
        {errors.map((error, index) => (
          <li key={`${error.code}-${index}`}>
            <span className="error-notice__message">{error.message}</span>{' '}
            <code className="error-notice__code">{t('errors.code', { code: error.code })}</code>
          </li>
        ))}
      </ul>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('errors.retry')}
        </button>
      )}
    </div>
  );
}
