import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { onTestFailed } from 'vitest';

export const PASSWORD = 'studiograph-dev';

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results');

/** Debian's Chromium, headless, quiet (no network calls of its own). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A page in a browser context of its own (its own session cookie) whose full-page screenshot is
 * saved under test-results/ if the current test fails. Never close it in the test's own teardown
 * (a function returned by beforeEach, afterEach, onTestFinished): Vitest runs those before the
 * onTestFailed handlers, and a closed page has nothing left to capture. Close it in the next
 * test's beforeEach, or let the browser's close in afterAll take it.
 */
export async function openTestPage(
  browser: Browser,
  name: string,
  viewport: { width: number; height: number } = { width: 1280, height: 900 },
): Promise<Page> {
  const page = await browser.newPage({ viewport });
  screenshotOnFailure(page, name);
  return page;
}

/** Saves a full-page screenshot of `page` under test-results/ when the current test fails. */
function screenshotOnFailure(page: Page, name: string): void {
  onTestFailed(async () => {
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `${name.replace(/[^a-z0-9-]+/gi, '-')}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.error(`screenshot: ${file}`);
  });
}

export async function signIn(page: Page, gatewayUrl: string, email: string): Promise<void> {
  await page.goto(gatewayUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

interface GraphqlAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** A script's view of the API: a bearer token from /auth/token, then POST /graphql. */
export async function apiAs(gatewayUrl: string, email: string) {
  const tokenResponse = await fetch(`${gatewayUrl}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  const { accessToken } = (await tokenResponse.json()) as { accessToken: string };
  return async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const response = await fetch(`${gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ query, variables }),
    });
    const answer = (await response.json()) as GraphqlAnswer<T>;
    if (answer.errors?.length || !answer.data) {
      throw new Error(`GraphQL errors: ${JSON.stringify(answer.errors)}`);
    }
    return answer.data;
  };
}
