import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { savePageScreenshot } from './screenshots';
import { apiAs, launchBrowser, openTestPage, signIn } from './support';

const LOGINS = ['admin', 'hr', 'sup', 'artist', 'wrangler'].map((u) => `${u}@northwind.test`);

interface Person {
  id: string;
  displayName: string;
  lastName: string;
  email: string;
}

/** Polls `check` until it holds (events cross subgraphs asynchronously). */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('Projects, as a supervisor', () => {
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
    page = await openTestPage(browser, context.task.name, { width: 1024, height: 900 });
  });

  it('refuses to assign a task over approved leave and shows the conflicting dates', async () => {
    const sup = await apiAs(gatewayUrl, 'sup@northwind.test');
    const admin = await apiAs(gatewayUrl, 'admin@northwind.test');
    const hr = await apiAs(gatewayUrl, 'hr@northwind.test');
    const found = await sup<{
      projects: { nodes: { id: string; code: string; shots: { nodes: { id: string }[] } }[] };
      employees: { nodes: Person[] };
    }>(
      `{ projects(first: 1) { nodes { id code shots(first: 1) { nodes { id } } } }
         employees(filter: { status: [ACTIVE] }, first: 100) { nodes { id displayName lastName email } } }`,
    );
    const project = found.projects.nodes[0];
    const shot = project?.shots.nodes[0];
    // Someone without a login, so no other test's leave or tasks get in the way.
    const person = found.employees.nodes.find((p) => !LOGINS.includes(p.email));
    if (!project || !shot || !person) throw new Error('the demo studio lacks a shot or a person');

    // A leave far ahead, in a year of its own; the due date falls inside it.
    const year = 2100 + Math.floor(Math.random() * 800);
    const [start, end, due] = [`${year}-03-03`, `${year}-03-09`, `${year}-03-06`];
    const stamp = Date.now();
    const createTask = async (name: string) =>
      (
        await sup<{ createTask: { id: string } }>(
          `mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }`,
          { i: { shotId: shot.id, name, type: 'COMPOSITING', dueDate: due, estimateHours: 8 } },
        )
      ).createTask.id;
    const blockedName = `e2e blocked ${stamp}`;
    const watchedName = `e2e watched ${stamp}`;
    const blocked = await createTask(blockedName);
    const watched = await createTask(watchedName);
    // Assigned before the leave exists; it turns at risk once production hears of the approval.
    await sup(`mutation($t: ID!, $e: ID) { assignTask(taskId: $t, employeeId: $e) { id } }`, {
      t: watched,
      e: person.id,
    });

    // As HR: the leave is requested (by the admin, for the person) and approved.
    const leave = await admin<{ requestLeave: { id: string } }>(
      `mutation($i: RequestLeaveInput!) { requestLeave(input: $i) { id } }`,
      {
        i: { type: 'UNPAID', startDate: start, endDate: end, reason: 'e2e', employeeId: person.id },
      },
    );
    await hr(`mutation($id: ID!) { decideLeave(id: $id, approve: true) { id status } }`, {
      id: leave.requestLeave.id,
    });
    await until('the watched task to turn at risk', async () => {
      const t = await sup<{ task: { atRisk: boolean } }>(
        `query($id: ID!) { task(id: $id) { atRisk } }`,
        { id: watched },
      );
      return t.task.atRisk;
    });

    await signIn(page, gatewayUrl, 'sup@northwind.test');
    await page.getByRole('link', { name: 'Projects' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await page.locator(`[data-project-code="${project.code}"]`).waitFor();
    await savePageScreenshot(page, 'projects');
    await page.locator(`[data-project-code="${project.code}"] a`).click();
    expect(new URL(page.url()).pathname).toBe(`/projects/${project.id}`);

    // The watched task shows its at-risk badge, in its row and in the summary.
    const watchedRow = page.locator(`tr[data-task-id="${watched}"]`);
    await watchedRow.waitFor();
    expect(await watchedRow.textContent()).toContain('At risk');
    expect(await watchedRow.getByTestId('assignee').textContent()).toBe(person.displayName);
    expect(await page.getByTestId('at-risk-summary').textContent()).toContain(watchedName);

    // Assigning the blocked task to the person is refused: code, message and the leave dates.
    const row = page.locator(`tr[data-task-id="${blocked}"]`);
    await row.getByRole('button', { name: `Assign ${blockedName}` }).click();
    const form = page.getByRole('form', { name: `Assign ${blockedName}` });
    await form.getByLabel('Search people').fill(person.lastName);
    await form.locator(`option[value="${person.id}"]`).waitFor({ state: 'attached' });
    await form.getByLabel('Person').selectOption(person.id);
    await form.getByRole('button', { name: 'Assign', exact: true }).click();
    const alert = form.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Code: ASSIGNEE_UNAVAILABLE');
    const period = form.locator(`[data-testid="leave-conflicts"] li[data-start="${start}"]`);
    await period.waitFor();
    expect(await period.getAttribute('data-end')).toBe(end);
    // The viewport around the form: the whole project is hundreds of rows long.
    await form.scrollIntoViewIfNeeded();
    await savePageScreenshot(page, 'project-assign-conflict', { fullPage: false });

    const after = await sup<{ task: { assignee: { id: string } | null } }>(
      `query($id: ID!) { task(id: $id) { assignee { id } } }`,
      { id: blocked },
    );
    expect(after.task.assignee).toBeNull();
    expect(await row.getByTestId('assignee').textContent()).toBe('Unassigned');
  });
});
