import { useTranslation } from 'react-i18next';
import { useAppStore } from '@/stores/app-store';

export function LogoutButton() {
  const { t } = useTranslation();
  const logout = useAppStore((s) => s.logout);
  const busy = useAppStore((s) => s.busy);
  return (
    <button
      type="button"
      className="button"
      disabled={busy}
      onClick={() => {
        void logout();
      }}
    >
      {busy ? t('auth.loggingOut') : t('auth.logout')}
    </button>
  );
}
