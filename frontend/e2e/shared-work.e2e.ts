import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { savePageScreenshot } from './screenshots';
import { apiAs, launchBrowser, openTestPage, signIn } from './support';

const SUPERVISOR = 'sup@northwind.test';
const VENDOR = 'lead@vendorx.test';

describe('Shared work, as a vendor', () => {
  const gatewayUrl = inject('gatewayUrl');
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });
  // Pages stay open until the browser closes (see openTestPage).
  beforeEach(async (context) => {
    page = await openTestPage(browser, context.task.name, { width: 1024, height: 768 });
  });

  it('sees exactly the task a studio shared, read-only, until it is unshared', async () => {
    const supervisor = await apiAs(gatewayUrl, SUPERVISOR);
    const vendor = await apiAs(gatewayUrl, VENDOR);
    const { me } = await vendor<{ me: { tenant: { id: string } } }>('{ me { tenant { id } } }');
    const vendorTenantId = me.tenant.id;
    const { tasks } = await supervisor<{
      tasks: { nodes: { id: string; name: string; project: { code: string } | null }[] };
    }>('{ tasks(first: 5) { nodes { id name project { code } } } }');
    const task = tasks.nodes[0];
    if (!task) throw new Error('the demo studio has no task to share');

    const shared = await supervisor<{ shareTask: { sharedWith: string[] } }>(
      `mutation($t: ID!, $v: ID!) { shareTask(taskId: $t, vendorTenantId: $v) { sharedWith } }`,
      { t: task.id, v: vendorTenantId },
    );
    expect(shared.shareTask.sharedWith).toContain(vendorTenantId);

    await signIn(page, gatewayUrl, VENDOR);
    await page.getByRole('heading', { name: 'Shared work' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/shared');
    await page.getByTestId('shared-task').first().waitFor();
    const cards = page.getByTestId('shared-task');
    expect(await cards.count()).toBe(1);
    expect(await cards.first().getAttribute('data-task-id')).toBe(task.id);
    await cards.first().getByRole('heading', { name: task.name }).waitFor();
    if (task.project) {
      expect(await page.getByTestId('shared-project').first().textContent()).toContain(
        task.project.code,
      );
    }
    // Read-only: the card offers nothing, and no transition anywhere on the page.
    expect(await cards.first().getByRole('button').count()).toBe(0);
    expect(await page.locator('[data-to]').count()).toBe(0);
    expect(await page.getByTestId('vendor-tenant-id').textContent()).toBe(vendorTenantId);
    await savePageScreenshot(page, 'shared-work');

    await supervisor(
      `mutation($t: ID!, $v: ID!) { unshareTask(taskId: $t, vendorTenantId: $v) { id } }`,
      { t: task.id, v: vendorTenantId },
    );
    await page.reload();
    await page.getByTestId('shared-empty').waitFor();
    expect(await page.getByTestId('shared-task').count()).toBe(0);
  });
});
