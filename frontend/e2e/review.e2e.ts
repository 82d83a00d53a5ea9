import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { savePageScreenshot } from './screenshots';
import { apiAs, launchBrowser, openTestPage, signIn } from './support';

interface ApiTask {
  id: string;
  name: string;
  status: string;
  availableTransitions: { to: string }[];
}

describe('Review, as a supervisor', () => {
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
    page = await openTestPage(browser, context.task.name, { width: 1024, height: 768 });
  });

  it('shows a version published through the API without a reload, then approves it', async () => {
    const artist = await apiAs(gatewayUrl, 'artist@northwind.test');
    const mine = await artist<{ me: { employee: { tasks: ApiTask[] } } }>(
      '{ me { employee { tasks(status: [READY, IN_PROGRESS]) { id name status availableTransitions { to } } } } }',
    );
    const task =
      mine.me.employee.tasks.find((t) => t.status === 'IN_PROGRESS') ??
      mine.me.employee.tasks.find((t) =>
        t.availableTransitions.some((tr) => tr.to === 'IN_PROGRESS'),
      );
    if (!task) throw new Error('the demo artist has no task to publish on');
    if (task.status !== 'IN_PROGRESS') {
      await artist(`mutation($id: ID!) { transitionTask(taskId: $id, to: IN_PROGRESS) { id } }`, {
        id: task.id,
      });
    }

    await signIn(page, gatewayUrl, 'sup@northwind.test');
    await page.getByRole('heading', { name: 'Review' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/review');
    await page.locator('[data-live="on"]').waitFor();

    const comment = `e2e publish ${Date.now()}`;
    const published = await artist<{ publishVersion: { id: string; number: number } }>(
      `mutation($input: PublishVersionInput!) { publishVersion(input: $input) { id number } }`,
      { input: { taskId: task.id, path: '/shows/e2e/comp_v001.exr', comment } },
    );

    const panel = page.getByTestId('review-task').filter({ hasText: comment });
    await panel.waitFor({ timeout: 15_000 });
    const version = panel.locator(`[data-version-number="${published.publishVersion.number}"]`);
    await savePageScreenshot(page, 'review');
    await version.getByLabel('Review comment').fill('looks good');
    await version.getByRole('button', { name: 'Approve' }).click();
    await panel.waitFor({ state: 'detached' });

    const after = await artist<{ version: { status: string } }>(
      `query($id: ID!) { version(id: $id) { status } }`,
      { id: published.publishVersion.id },
    );
    expect(after.version.status).toBe('APPROVED');
  });
});
