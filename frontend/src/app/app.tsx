import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { ErrorNotice } from '@/components/error-notice';
import { Loading } from '@/components/loading';
import { LoginPage } from '@/features/auth';
import { useAppStore } from '@/stores/app-store';
import { GraphqlProvider } from './graphql-provider';
import { Layout } from './layout';
import { AppRoutes, preloadPage } from './routes';

/** Asks `/auth/session` once, then shows the login page or the app for that session. */
function SessionGate() {
  const { t } = useTranslation();
  const status = useAppStore((s) => s.status);
  const user = useAppStore((s) => s.user);
  const authErrors = useAppStore((s) => s.authErrors);
  const restoreSession = useAppStore((s) => s.restoreSession);

  // The user whose first page's chunk is there: the page then renders without suspending.
  const [readyFor, setReadyFor] = useState<string | null>(null);

  useEffect(() => {
    // The page's chunk downloads while the session is checked.
    void preloadPage(window.location.pathname, null);
    void restoreSession();
  }, [restoreSession]);

  useEffect(() => {
    if (!user) return undefined;
    let current = true;
    void preloadPage(window.location.pathname, user).then(() => {
      if (current) setReadyFor(user.id);
    });
    return () => {
      current = false;
    };
  }, [user]);

  if (status === 'unknown' || (user && readyFor !== user.id)) {
    return (
      <main id="main" className="login">
        {authErrors.length > 0 ? (
          <ErrorNotice errors={authErrors} />
        ) : (
          <Loading label={status === 'unknown' ? t('auth.checking') : undefined} />
        )}
      </main>
    );
  }
  if (status === 'anonymous' || !user) return <LoginPage />;
  return (
    <GraphqlProvider key={user.id}>
      <Layout>
        <AppRoutes user={user} />
      </Layout>
    </GraphqlProvider>
  );
}

export function App() {
  return <SessionGate />;
}
