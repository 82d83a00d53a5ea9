import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { savePageScreenshot } from './screenshots';
import { apiAs, launchBrowser, openTestPage, signIn } from './support';

const ARTIST = 'artist@northwind.test';
const HR = 'hr@northwind.test';
const VENDOR = 'lead@vendorx.test';

/** A screenshot of each page the tests add, under test-results/page-people-<name>.png. */
async function savePage(page: Page, name: string): Promise<void> {
  await savePageScreenshot(page, `people-${name}`);
}

interface ApiTask {
  id: string;
  name: string;
  status: string;
  dueDate: string | null;
  atRisk: boolean;
}

/** `date` moved by `days`, as a `Date` scalar. */
function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const navLinks = (page: Page) =>
  page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link').allTextContents();

describe('People, leave and approvals', () => {
  const gatewayUrl = inject('gatewayUrl');
  let browser: Browser;
  const pages: Page[] = [];

  /** A page in a browser context of its own (its own session cookie). */
  async function newPage(name: string, width = 1280): Promise<Page> {
    const page = await openTestPage(browser, name, { width, height: 900 });
    pages.push(page);
    return page;
  }

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });
  // The previous test's pages close only now (see openTestPage).
  beforeEach(async () => {
    await Promise.all(pages.splice(0).map((page) => page.close()));
  });

  it('as HR approve a leave and see the task’s at-risk badge appear', async (context) => {
    const artistApi = await apiAs(gatewayUrl, ARTIST);
    const mine = await artistApi<{ me: { employee: { id: string; tasks: ApiTask[] } } }>(
      '{ me { employee { id tasks { id name status dueDate atRisk } } } }',
    );
    const task = mine.me.employee.tasks.find(
      (t) => t.status !== 'APPROVED' && t.dueDate !== null && !t.atRisk,
    );
    if (!task?.dueDate)
      throw new Error('the demo artist has no open, dated task that is not at risk');
    // Four days up to the due date (within its year): always at least one working day.
    const yearStart = `${task.dueDate.slice(0, 4)}-01-01`;
    const threeBefore = addDays(task.dueDate, -3);
    const startDate = threeBefore < yearStart ? yearStart : threeBefore;
    const endDate = task.dueDate;

    // The artist requests the leave in the UI.
    const artist = await newPage(`${context.task.name} (artist)`);
    await signIn(artist, gatewayUrl, ARTIST);
    await artist.getByRole('heading', { name: 'My tasks' }).waitFor();
    await artist.getByRole('link', { name: 'My leave' }).click();
    await artist.getByRole('heading', { name: 'My leave' }).waitFor();
    await artist.getByTestId('leave-balance').first().waitFor();
    await artist.getByLabel('Type').selectOption('VACATION');
    await artist.getByLabel('First day').fill(startDate);
    await artist.getByLabel('Last day').fill(endDate);
    await artist.getByLabel('Reason (optional)').fill('e2e: family trip');
    await artist.getByRole('button', { name: 'Send request' }).click();
    await artist.getByText(/Vacation from .* requested\./).waitFor();
    const pending = artist.locator('[data-testid="leave-request"][data-status="PENDING"]');
    await pending.filter({ hasText: 'e2e: family trip' }).waitFor();
    await savePage(artist, 'my-leave');

    const requests = await artistApi<{ leaveRequests: { nodes: { id: string }[] } }>(
      `query($e: ID!) { leaveRequests(filter: { employeeId: $e, status: [PENDING] }) { nodes { id } } }`,
      { e: mine.me.employee.id },
    );
    const requestId = requests.leaveRequests.nodes[0]?.id;
    if (!requestId) throw new Error('the request made in the UI is not in the API');

    // Back to the board (no reload), live, the task not at risk yet.
    await artist.getByRole('link', { name: 'My tasks' }).click();
    const card = artist.locator(`[data-task-id="${task.id}"]`);
    await card.waitFor();
    await artist.locator('[data-live="on"]').waitFor();
    expect(await card.locator('.badge--risk').count()).toBe(0);

    // HR lands on the approvals inbox and approves with a comment.
    const hr = await newPage(`${context.task.name} (hr)`);
    await signIn(hr, gatewayUrl, HR);
    await hr.getByRole('heading', { name: 'Leave approvals' }).waitFor();
    expect(new URL(hr.url()).pathname).toBe('/approvals');
    const approval = hr.locator(`[data-testid="approval"][data-request-id="${requestId}"]`);
    await approval.waitFor();
    expect(await approval.textContent()).toContain('Ari Novak');
    await savePage(hr, 'approvals');
    await approval.getByLabel('Comment for the employee').fill('Enjoy, covered by the team');
    await approval.getByRole('button', { name: 'Approve' }).click();
    await approval.waitFor({ state: 'detached' });
    await hr.getByText('Leave of Ari Novak approved.').waitFor();

    // leave.approved -> production flags the task -> taskChanged: the badge appears, no reload.
    await card.locator('.badge--risk').waitFor({ timeout: 20_000 });
    expect(await card.locator('.badge--risk').textContent()).toBe('At risk');
    await savePage(artist, 'my-tasks-at-risk');
    const after = await artistApi<{ task: ApiTask }>(
      `query($id: ID!) { task(id: $id) { id name status dueDate atRisk } }`,
      { id: task.id },
    );
    expect(after.task.atRisk).toBe(true);

    // The artist's leave page shows the decision and still offers a cancellation.
    await artist.getByRole('link', { name: 'My leave' }).click();
    const approved = artist
      .locator('[data-testid="leave-request"][data-status="APPROVED"]')
      .filter({ hasText: 'e2e: family trip' });
    await approved.waitFor();
    expect(await approved.textContent()).toContain('Comment: Enjoy, covered by the team');
    expect(
      await approved.getByRole('button', { name: /Cancel the Vacation request/ }).count(),
    ).toBe(1);
  });

  it('shows salary to HR only; HR offboards someone after a confirmation', async (context) => {
    // An artist sees a colleague's work details, never their salary or personal data.
    const artist = await newPage(`${context.task.name} (artist)`, 820);
    await signIn(artist, gatewayUrl, ARTIST);
    await artist.getByRole('heading', { name: 'My tasks' }).waitFor();
    await artist.getByRole('link', { name: 'People' }).click();
    await artist.getByRole('heading', { name: 'People' }).waitFor();
    await artist.getByLabel('Search people').fill('Okafor');
    await artist.getByRole('status').filter({ hasText: '1 person' }).waitFor();
    await artist.getByRole('link', { name: 'Sam Okafor' }).click();
    await artist.getByRole('heading', { name: 'Sam Okafor' }).waitFor();
    const withheld = artist.getByTestId('employee-private');
    expect(await withheld.textContent()).toContain(
      'Visible to HR and to the person themself only.',
    );
    expect(await artist.getByRole('alert').count()).toBe(0);
    expect(await artist.getByRole('button', { name: /Offboard/ }).count()).toBe(0);
    await savePage(artist, 'employee-as-artist');

    // HR sees the salary, and offboards a roster employee.
    const hr = await newPage(`${context.task.name} (hr)`);
    await signIn(hr, gatewayUrl, HR);
    await hr.getByRole('heading', { name: 'Leave approvals' }).waitFor();
    await hr.getByRole('link', { name: 'People' }).click();
    await hr.getByTestId('directory-row').first().waitFor();
    await savePage(hr, 'directory');
    await hr.getByLabel('Search people').fill('quinn.jensen');
    await hr.getByRole('status').filter({ hasText: '1 person' }).waitFor();
    await hr.getByRole('link', { name: 'Quinn Jensen' }).click();
    await hr.getByRole('heading', { name: 'Quinn Jensen' }).waitFor();
    const personal = hr.getByTestId('employee-private');
    expect(await personal.textContent()).toMatch(/Salary \(yearly\)€[\d,]+\.\d\d/);

    await hr.getByRole('button', { name: 'Offboard Quinn Jensen…' }).click();
    const lastDay = '2026-12-31';
    await hr.getByLabel('Last day (effective date)').fill(lastDay);
    await hr.getByLabel('Reason').fill('e2e: contract ended');
    await hr.getByRole('button', { name: 'Review offboarding' }).click();
    await hr.getByRole('heading', { name: /Offboard Quinn Jensen on/ }).waitFor();
    await savePage(hr, 'offboard-confirm');
    await hr.getByRole('button', { name: 'Offboard Quinn Jensen', exact: true }).click();
    await hr.getByText(/Quinn Jensen is offboarded from/).waitFor();
    await hr.locator('.badge--employee-offboarded').waitFor();
    expect(await hr.getByText('e2e: contract ended').count()).toBe(1);
    expect(await hr.getByRole('button', { name: /Offboard Quinn Jensen/ }).count()).toBe(0);
    await savePage(hr, 'employee-as-hr');

    // Gone from the directory unless offboarded people are asked for.
    await hr.getByRole('link', { name: '← All people' }).click();
    await hr.getByRole('status').filter({ hasText: 'Nobody matches.' }).waitFor();
    await hr.getByLabel('Include offboarded people').check();
    await hr.getByRole('link', { name: 'Quinn Jensen' }).waitFor();
  });

  it('a vendor login sees only vendor pages', async (context) => {
    const vendor = await newPage(context.task.name, 820);
    await signIn(vendor, gatewayUrl, VENDOR);
    await vendor.getByRole('heading', { name: 'Shared work' }).waitFor();
    expect(new URL(vendor.url()).pathname).toBe('/shared');
    const links = await navLinks(vendor);
    expect(links).toEqual(['Shared work']);
    // Nothing shared with the vendor offers an action they cannot take.
    expect(await vendor.locator('[data-to]').count()).toBe(0);
    await savePage(vendor, 'vendor-tasks');
    for (const path of ['/tasks', '/people', '/leave', '/approvals']) {
      await vendor.goto(`${gatewayUrl}${path}`);
      await vendor.getByText('This page does not exist.').waitFor();
    }
    await savePage(vendor, 'vendor-not-found');
  });
});
