import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import en from '@/locales/en.json';
import { savePageScreenshot } from './screenshots';
import { apiAs, launchBrowser, openTestPage, signIn } from './support';

const SUPERVISOR = 'sup@northwind.test';
const VENDOR = 'lead@vendorx.test';

describe('Shared work, shared by a studio, as a vendor', () => {
  const gatewayUrl = inject('gatewayUrl');
  let browser: Browser;
  let page: Page;
  let vendorPage: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });
  // Pages stay open until the browser closes (see openTestPage).
  beforeEach(async (context) => {
    page = await openTestPage(browser, context.task.name, { width: 1024, height: 768 });
    vendorPage = await openTestPage(browser, `${context.task.name} vendor`, {
      width: 1024,
      height: 768,
    });
  });

  it('a supervisor shares a task from Projects by vendor name; the vendor sees exactly it, read-only, until it is unshared', async () => {
    const supervisor = await apiAs(gatewayUrl, SUPERVISOR);
    const vendor = await apiAs(gatewayUrl, VENDOR);
    const { me } = await vendor<{ me: { tenant: { id: string } } }>('{ me { tenant { id } } }');
    const vendorTenantId = me.tenant.id;
    const found = await supervisor<{
      projects: { nodes: { id: string; code: string; shots: { nodes: { id: string }[] } }[] };
      vendorTenants: { id: string; name: string }[];
    }>(
      `{ projects(first: 1) { nodes { id code shots(first: 1) { nodes { id } } } }
         vendorTenants { id name } }`,
    );
    const project = found.projects.nodes[0];
    const shot = project?.shots.nodes[0];
    if (!project || !shot) throw new Error('the demo studio has no shot to add a task to');
    const vendorName = found.vendorTenants.find((v) => v.id === vendorTenantId)?.name;
    if (!vendorName) throw new Error('vendorTenants does not list the demo vendor');
    // A task of its own, on the project's first shot (so on the project page's first page).
    const taskName = `e2e shared ${Date.now()}`;
    const { createTask } = await supervisor<{ createTask: { id: string } }>(
      `mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }`,
      { i: { shotId: shot.id, name: taskName, type: 'COMPOSITING', estimateHours: 4 } },
    );
    const taskId = createTask.id;

    // The supervisor shares it on the Projects view, choosing the vendor by name.
    await signIn(page, gatewayUrl, SUPERVISOR);
    await page.getByRole('link', { name: 'Projects' }).click();
    await page.locator(`[data-project-code="${project.code}"] a`).click();
    const row = page.locator(`tr[data-task-id="${taskId}"]`);
    await row.waitFor();
    await row.getByRole('button', { name: `Share ${taskName} with a vendor` }).click();
    const panel = page.getByRole('region', { name: `Vendors of ${taskName}` });
    await panel.getByText('Not shared with any vendor.').waitFor();
    const select = panel.getByLabel('Vendor', { exact: true });
    await panel.getByRole('option', { name: vendorName }).waitFor({ state: 'attached' });
    await select.selectOption({ label: vendorName });
    await panel.getByRole('button', { name: 'Share with vendor' }).click();
    const share = panel.locator(`li[data-vendor-id="${vendorTenantId}"]`);
    await share.waitFor();
    expect((await share.textContent())?.startsWith(vendorName)).toBe(true);
    expect(await share.textContent()).not.toContain(vendorTenantId);
    expect(await row.getByTestId('shared-badge').textContent()).toBe('Shared with 1 vendor');
    await page.getByText(`${taskName} shared with ${vendorName}.`).waitFor();
    await panel.scrollIntoViewIfNeeded();
    await savePageScreenshot(page, 'project-share-task', { fullPage: false });
    const after = await supervisor<{ task: { sharedWith: string[] } }>(
      `query($id: ID!) { task(id: $id) { sharedWith } }`,
      { id: taskId },
    );
    expect(after.task.sharedWith).toEqual([vendorTenantId]);

    // The vendor sees exactly that task, read-only.
    await signIn(vendorPage, gatewayUrl, VENDOR);
    await vendorPage.getByRole('heading', { name: 'Shared work' }).waitFor();
    expect(new URL(vendorPage.url()).pathname).toBe('/shared');
    await vendorPage.getByTestId('shared-task').first().waitFor();
    const cards = vendorPage.getByTestId('shared-task');
    expect(await cards.count()).toBe(1);
    expect(await cards.first().getAttribute('data-task-id')).toBe(taskId);
    await cards.first().getByRole('heading', { name: taskName }).waitFor();
    expect(await vendorPage.getByTestId('shared-project').first().textContent()).toContain(
      project.code,
    );
    // Read-only: the card offers nothing, and no transition anywhere on the page.
    expect(await cards.first().getByRole('button').count()).toBe(0);
    expect(await vendorPage.locator('[data-to]').count()).toBe(0);
    expect(await vendorPage.getByTestId('vendor-tenant-id').textContent()).toBe(vendorTenantId);
    await savePageScreenshot(vendorPage, 'shared-work');

    await supervisor(
      `mutation($t: ID!, $v: ID!) { unshareTask(taskId: $t, vendorTenantId: $v) { id } }`,
      { t: taskId, v: vendorTenantId },
    );
    await vendorPage.reload();
    await vendorPage.getByTestId('shared-empty').waitFor();
    expect(await vendorPage.getByTestId('shared-task').count()).toBe(0);
  });

  it('with Shared work open, the vendor sees a task the studio shares through the API appear, then its status change, without a reload', async () => {
    const supervisor = await apiAs(gatewayUrl, SUPERVISOR);
    const vendor = await apiAs(gatewayUrl, VENDOR);
    const { me } = await vendor<{ me: { tenant: { id: string } } }>('{ me { tenant { id } } }');
    const vendorTenantId = me.tenant.id;

    // The vendor has the page open, and live.
    await signIn(vendorPage, gatewayUrl, VENDOR);
    await vendorPage.getByRole('heading', { name: 'Shared work' }).waitFor();
    await vendorPage.locator('[data-live="on"]').waitFor();

    // A script of the studio's creates a task and shares it.
    const found = await supervisor<{
      projects: { nodes: { shots: { nodes: { id: string }[] } }[] };
    }>(`{ projects(first: 1) { nodes { shots(first: 1) { nodes { id } } } } }`);
    const shot = found.projects.nodes[0]?.shots.nodes[0];
    if (!shot) throw new Error('the demo studio has no shot to add a task to');
    const taskName = `e2e live share ${Date.now()}`;
    const { createTask } = await supervisor<{ createTask: { id: string } }>(
      `mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }`,
      { i: { shotId: shot.id, name: taskName, type: 'COMPOSITING', estimateHours: 2 } },
    );
    const taskId = createTask.id;
    const { shareTask } = await supervisor<{
      shareTask: { status: keyof typeof en.status; availableTransitions: { to: string }[] };
    }>(
      `mutation($t: ID!, $v: ID!) {
         shareTask(taskId: $t, vendorTenantId: $v) { status availableTransitions { to } }
       }`,
      { t: taskId, v: vendorTenantId },
    );

    // It appears on the vendor's page, with its status.
    const card = vendorPage.locator(`[data-testid="shared-task"][data-task-id="${taskId}"]`);
    await card.waitFor({ timeout: 15_000 });
    await card.getByRole('heading', { name: taskName }).waitFor();
    const status = card.getByTestId('shared-status');
    expect(await status.textContent()).toBe(en.status[shareTask.status]);

    // The studio moves it: its status changes in place.
    const move = shareTask.availableTransitions[0];
    if (!move) throw new Error(`the supervisor may not move a task from ${shareTask.status}`);
    const moved = await supervisor<{ transitionTask: { status: keyof typeof en.status } }>(
      `mutation($id: ID!, $to: TaskStatus!) { transitionTask(taskId: $id, to: $to) { status } }`,
      { id: taskId, to: move.to },
    );
    expect(moved.transitionTask.status).not.toBe(shareTask.status);
    await vendorPage.waitForFunction(
      ([selector, label]) => document.querySelector(selector)?.textContent === label,
      [
        `[data-task-id="${taskId}"] [data-testid="shared-status"]`,
        en.status[moved.transitionTask.status],
      ] as const,
      { timeout: 15_000 },
    );
    await savePageScreenshot(vendorPage, 'shared-work-live');

    // Unshared, the API sends the vendor nothing more about it: a refresh drops it.
    await supervisor(
      `mutation($t: ID!, $v: ID!) { unshareTask(taskId: $t, vendorTenantId: $v) { id } }`,
      { t: taskId, v: vendorTenantId },
    );
    await vendorPage.getByRole('button', { name: 'Refresh' }).click();
    await card.waitFor({ state: 'detached' });
  });
});
