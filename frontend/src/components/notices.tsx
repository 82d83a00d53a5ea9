import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '@/stores/app-store';
import type { Notice } from '@/stores/ui-slice';
import { ErrorNotice } from './error-notice';

/** How long a success notice stays; errors stay until dismissed. */
const SUCCESS_MS = 5000;

function NoticeItem({ notice }: { notice: Notice }) {
  const { t } = useTranslation();
  const dismiss = useAppStore((s) => s.dismissNotice);
  useEffect(() => {
    if (notice.kind !== 'success') return undefined;
    const timer = window.setTimeout(() => {
      dismiss(notice.id);
    }, SUCCESS_MS);
    return () => {
      window.clearTimeout(timer);
    };
  }, [notice, dismiss]);
  return (
    <li className={`notice notice--${notice.kind}`}>
      {notice.kind === 'error' ? (
        <ErrorNotice errors={notice.errors} title={notice.message} />
      ) : (
        <p role="status">{notice.message}</p>
      )}
      <button
        type="button"
        className="notice__dismiss"
        aria-label={t('app.dismiss')}
        onClick={() => {
          dismiss(notice.id);
        }}
      >
        ×
      </button>
    </li>
  );
}

/** The outcomes of the user's actions, newest last. */
export function Notices() {
  const { t } = useTranslation();
  const notices = useAppStore((s) => s.notices);
  return (
    <section className="notices" aria-label={t('app.notifications')} aria-live="polite">
      <ul>
        {notices.map((notice) => (
          <NoticeItem key={notice.id} notice={notice} />
        ))}
      </ul>
    </section>
  );
}
