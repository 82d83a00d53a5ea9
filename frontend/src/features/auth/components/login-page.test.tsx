import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { useAppStore } from '@/stores/app-store';
import { stubFetch } from '@/testing/fetch';
import { LoginPage } from './login-page';

const initial = useAppStore.getState();

beforeEach(() => {
  useAppStore.setState(initial, true);
});

async function signIn(password: string) {
  render(<LoginPage />);
  await userEvent.type(screen.getByLabelText('Email'), 'artist@northwind.test');
  await userEvent.type(screen.getByLabelText('Password'), password);
  await userEvent.keyboard('{Enter}');
}

describe('LoginPage', () => {
  it('signs in with the keyboard alone', async () => {
    const requests = stubFetch(() => ({
      body: {
        user: {
          id: 'u',
          email: 'artist@northwind.test',
          tenantId: 't',
          employeeId: 'e',
          roles: ['ARTIST'],
        },
        csrfToken: 'c',
      },
    }));
    await signIn('studiograph-dev');
    expect(requests[0]?.url).toBe('/auth/login');
    expect(useAppStore.getState().status).toBe('authenticated');
  });

  it('shows a refused login with its message and code', async () => {
    stubFetch(() => ({
      status: 429,
      body: { errors: [{ message: 'too many attempts', extensions: { code: 'RATE_LIMITED' } }] },
    }));
    await signIn('nope');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('too many attempts');
    expect(alert).toHaveTextContent('Code: RATE_LIMITED');
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  });
});
