import { ApiRequestError, errorsFromBody } from './api-error';

/** The studio roles of CONTRACT.md. */
export type Role = 'ADMIN' | 'HR_MANAGER' | 'SUPERVISOR' | 'ARTIST' | 'RENDER_WRANGLER' | 'VENDOR';

/** The user as `/auth/login` and `/auth/session` show it. */
export interface SessionUser {
  id: string;
  email: string;
  tenantId: string;
  employeeId: string | null;
  roles: Role[];
}

export interface SessionInfo {
  user: SessionUser;
  csrfToken: string;
}

async function call(path: string, init: RequestInit): Promise<Response> {
  const response = await fetch(path, { credentials: 'same-origin', ...init });
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => null);
    throw new ApiRequestError(errorsFromBody(body, response.status), response.status);
  }
  return response;
}

/** `POST /auth/login`: sets the session cookie, returns the user and the CSRF token. */
export async function login(email: string, password: string): Promise<SessionInfo> {
  const response = await call('/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return (await response.json()) as SessionInfo;
}

/** `GET /auth/session`: the current session, or null when there is none (401). */
export async function currentSession(): Promise<SessionInfo | null> {
  try {
    const response = await call('/auth/session', { method: 'GET' });
    return (await response.json()) as SessionInfo;
  } catch (caught) {
    if (caught instanceof ApiRequestError && caught.status === 401) return null;
    throw caught;
  }
}

/** `POST /auth/logout` (CSRF-checked). */
export async function logout(csrfToken: string): Promise<void> {
  await call('/auth/logout', { method: 'POST', headers: { 'x-csrf-token': csrfToken } });
}
