import { useTranslation } from 'react-i18next';

interface LoadingProps {
  label?: string;
}

export function Loading({ label }: LoadingProps) {
  const { t } = useTranslation();
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="loading__spinner" aria-hidden="true" />
      {label ?? t('app.loading')}
    </div>
  );
}
