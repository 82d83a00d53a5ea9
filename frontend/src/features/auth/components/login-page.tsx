import { useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import { useAppStore } from '@/stores/app-store';

/** Email + password against `POST /auth/login`; the gateway sets the session cookie. */
export function LoginPage() {
  const { t } = useTranslation();
  const login = useAppStore((s) => s.login);
  const busy = useAppStore((s) => s.busy);
  const errors = useAppStore((s) => s.authErrors);
  const expired = useAppStore((s) => s.expired);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    void login(email.trim(), password);
  };

  return (
    <main id="main" className="login">
      <form className="login__form" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{t('auth.title')}</h1>
        {expired && <p role="status">{t('auth.expired')}</p>}
        <label>
          {t('auth.email')}
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            autoFocus
            value={email}
            onChange={(e) => {
              setEmail(e.target.value);
            }}
          />
        </label>
        <label>
          {t('auth.password')}
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => {
              setPassword(e.target.value);
            }}
          />
        </label>
        <ErrorNotice errors={errors} />
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? t('auth.submitting') : t('auth.submit')}
        </button>
      </form>
    </main>
  );
}
