import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { savePageScreenshot } from './screenshots';
import { apiAs, launchBrowser, openTestPage, signIn } from './support';

const ARTIST = 'artist@northwind.test';

interface Transition {
  to: string;
  label: string;
}
interface ApiTask {
  id: string;
  name: string;
  status: string;
  availableTransitions: Transition[];
}

const TASK = 'id name status availableTransitions { to label }';

describe('My tasks, as an artist', () => {
  const gatewayUrl = inject('gatewayUrl');
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });
  // Pages stay open until the browser closes (see openTestPage): closing them in this hook's
  // teardown would run before the failure handler and leave it nothing to capture.
  beforeEach(async (context) => {
    page = await openTestPage(browser, context.task.name, { width: 1280, height: 900 });
  });

  it('moves a task through an allowed transition; a forbidden one is never offered; live updates', async () => {
    const api = await apiAs(gatewayUrl, ARTIST);
    const mine = await api<{ me: { employee: { tasks: ApiTask[] } } }>(
      `{ me { employee { tasks { ${TASK} } } } }`,
    );
    const tasks = mine.me.employee.tasks;
    const task =
      tasks.find((t) => t.availableTransitions.some((tr) => tr.to === 'IN_PROGRESS')) ??
      tasks.find((t) => t.availableTransitions.length > 0);
    if (!task) throw new Error('the demo artist has no task they may move');

    await page.goto(gatewayUrl);
    await page.getByRole('heading', { name: 'Sign in to Studiograph' }).waitFor();
    await savePageScreenshot(page, 'login');
    await signIn(page, gatewayUrl, ARTIST);
    await page.getByRole('heading', { name: 'My tasks' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/tasks');

    const card = page.locator(`[data-task-id="${task.id}"]`);
    await card.waitFor();
    await savePageScreenshot(page, 'my-tasks');
    const column = (status: string) => page.locator(`section[data-status="${status}"]`);
    expect(await column(task.status).locator(`[data-task-id="${task.id}"]`).count()).toBe(1);

    // Exactly the server's moves for this artist; "Put on hold" (leads only) is nowhere.
    const offered = await card.locator('[role=group] button').allTextContents();
    expect(offered).toEqual(task.availableTransitions.map((t) => t.label));
    expect(await page.locator('button[data-to="ON_HOLD"]').count()).toBe(0);
    expect(await page.locator('button[data-to="APPROVED"]').count()).toBe(0);

    const move = task.availableTransitions[0] as Transition;
    await card.getByRole('button', { name: move.label, exact: true }).click();
    await column(move.to).locator(`[data-task-id="${task.id}"]`).waitFor();
    await page.getByText(`${task.name} moved to`).first().waitFor();
    const after = await api<{ task: ApiTask }>(`query($id: ID!) { task(id: $id) { ${TASK} } }`, {
      id: task.id,
    });
    expect(after.task.status).toBe(move.to);
    const nextOffered = await card.locator('[role=group] button').allTextContents();
    expect(nextOffered).toEqual(after.task.availableTransitions.map((t) => t.label));

    await page.locator('[data-live="on"]').waitFor();
    await savePageScreenshot(page, 'my-tasks-moved');
    // A script moves it again: the board follows without a reload (taskChanged over WebSocket).
    const next = after.task.availableTransitions[0];
    if (!next) throw new Error(`no further move from ${after.task.status}`);
    await api(
      `mutation($id: ID!, $to: TaskStatus!) { transitionTask(taskId: $id, to: $to) { id } }`,
      {
        id: task.id,
        to: next.to,
      },
    );
    await column(next.to).locator(`[data-task-id="${task.id}"]`).waitFor({ timeout: 15_000 });
  });

  it('refuses a wrong password with its message and code', async () => {
    await page.goto(gatewayUrl);
    await page.getByLabel('Email').fill(ARTIST);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Code: UNAUTHENTICATED');
    await savePageScreenshot(page, 'login-refused');
  });
});
