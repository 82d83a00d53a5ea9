import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

import { ErrorNotice } from '@/components/error-notice';
import { Loading } from '@/components/loading';
import { LoginPage } from '@/features/auth';
import { useAppStore } from '@/stores/app-store';
import { GraphqlProvider } from './graphql-provider';
import { Layout } from './layout';
import { AppRoutes } from './routes';

/** Asks `/auth/session` once, then shows the login page or the app for that session. */
function SessionGate() {
  const { t } = useTranslation();
  const status = useAppStore((s) => s.status);
  const user = useAppStore((s) => s.user);
  const authErrors = useAppStore((s) => s.authErrors);
  const restoreSession = useAppStore((s) => s.restoreSession);

  useEffect(() => {
    void restoreSession();
  }, [restoreSession]);

  if (status === 'unknown') {
    return (
      <main id="main" className="login">
        {authErrors.length > 0 ? (
          <ErrorNotice errors={authErrors} />
        ) : (
          <Loading label={t('auth.checking')} />
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
