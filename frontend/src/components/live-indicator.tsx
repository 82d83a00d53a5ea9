import { useTranslation } from 'react-i18next';
import type { ApiError } from '@/lib/api-error';
import { useAppStore } from '@/stores/app-store';
import { ErrorNotice } from './error-notice';

/** Whether the page's subscription is receiving: "Live" only once the socket is acknowledged. */
export function LiveIndicator({ errors }: { errors: ApiError[] }) {
  const { t } = useTranslation();
  const socket = useAppStore((s) => s.socketStatus);
  const state =
    errors.length > 0 || socket === 'closed' ? 'off' : socket === 'connected' ? 'on' : 'pending';
  const label = { on: t('tasks.live'), pending: t('tasks.connecting'), off: t('tasks.liveError') }[
    state
  ];
  return (
    <>
      <span className={`live live--${state}`} role="status" data-live={state}>
        {label}
      </span>
      <ErrorNotice errors={errors} title={t('tasks.liveError')} />
    </>
  );
}
