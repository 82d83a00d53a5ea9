import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'wouter';
import { useShallow } from 'zustand/react/shallow';
import { ErrorNotice } from '@/components/error-notice';
import { Notices } from '@/components/notices';
import { LogoutButton } from '@/features/auth';
import { useAppStore } from '@/stores/app-store';
import { navItemsFor } from './navigation';

export function Layout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { user, authErrors } = useAppStore(
    useShallow((s) => ({ user: s.user, authErrors: s.authErrors })),
  );
  const [location] = useLocation();
  if (!user) return null;
  const items = navItemsFor(user);
  const isActive = (path: string) => location === path || location.startsWith(`${path}/`);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="shell__header">
        <span className="shell__brand">{t('app.name')}</span>
        <nav className="shell__nav" aria-label={t('app.mainNavigation')}>
          <ul>
            {items.map((item) => (
              <li key={item.path}>
                <Link
                  href={item.path}
                  className={isActive(item.path) ? 'active' : undefined}
                  aria-current={isActive(item.path) ? 'page' : undefined}
                >
                  {t(item.labelKey)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="shell__user">
          <span className="shell__email">{t('app.signedInAs', { email: user.email })}</span>
          <span className="shell__roles">
            {user.roles.map((role) => t(`roles.${role}`)).join(', ')}
          </span>
          <LogoutButton />
        </div>
      </header>
      <ErrorNotice errors={authErrors} />
      <main id="main" className="shell__main" tabIndex={-1}>
        {children}
      </main>
      <Notices />
    </div>
  );
}
