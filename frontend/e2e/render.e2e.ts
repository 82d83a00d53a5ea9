import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { savePageScreenshot } from './screenshots';
import { apiAs, launchBrowser, openTestPage, signIn } from './support';

const WRANGLER = 'wrangler@northwind.test';
const CHUNKS = 4;

interface Claimed {
  id: string;
  job: { id: string };
}

describe('Render queue, as a render wrangler', () => {
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
    page = await openTestPage(browser, context.task.name, { width: 1280, height: 900 });
  });

  it("a render job's progress bar moves as agents report, without a reload", async () => {
    const api = await apiAs(gatewayUrl, WRANGLER);
    const projects = await api<{
      projects: { nodes: { shots: { nodes: { id: string; code: string }[] } }[] };
    }>('{ projects(first: 1) { nodes { shots(first: 1) { nodes { id code } } } } }');
    const shot = projects.projects.nodes[0]?.shots.nodes[0];
    if (!shot) throw new Error('the demo studio has no shot to render');

    // A job submitted as a pipeline script would: four one-frame chunks, first in line.
    const name = `e2e progress ${Date.now()}`;
    const submitted = await api<{ submitRenderJob: { id: string } }>(
      `mutation($i: SubmitRenderJobInput!) { submitRenderJob(input: $i) { id } }`,
      {
        i: {
          name,
          shotId: shot.id,
          frameStart: 1,
          frameEnd: CHUNKS,
          chunkSize: 1,
          priority: 100,
          command: 'echo {frame}',
        },
      },
    );
    const jobId = submitted.submitRenderJob.id;

    await signIn(page, gatewayUrl, WRANGLER);
    await page.getByRole('heading', { name: 'Render queue' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/render');
    await page.locator('[data-live="on"]').waitFor();

    const card = page.locator(`[data-job-id="${jobId}"]`);
    await card.waitFor();
    const bar = card.getByRole('progressbar', { name: `Progress of ${name}` });
    expect(await bar.getAttribute('aria-valuenow')).toBe('0');
    expect(await bar.getAttribute('aria-valuemax')).toBe(String(CHUNKS));
    // Only what the server allows a QUEUED job: pause, cancel, priority; never retry.
    expect(
      await card.locator('[data-action]').evaluateAll((els) => els.map((e) => e.textContent)),
    ).toEqual(['Pause', 'Cancel job']);
    await page.evaluate(() => {
      (window as unknown as { e2eNoReload: boolean }).e2eNoReload = true;
    });
    await savePageScreenshot(page, 'render-queue');

    // A render agent, through the gateway: register, then claim and report chunk after chunk.
    const worker = await api<{ registerRenderWorker: { id: string } }>(
      `mutation($i: RegisterRenderWorkerInput!) { registerRenderWorker(input: $i) { id } }`,
      { i: { hostname: `e2e-node-${Date.now()}`, pool: 'cpu', cores: 4 } },
    );
    const workerId = worker.registerRenderWorker.id;
    let done = 0;
    for (let claims = 0; done < CHUNKS; claims++) {
      if (claims > 50) throw new Error(`only ${done} of the job's chunks were handed out`);
      const claimed = await api<{ claimRenderTask: Claimed | null }>(
        `mutation($w: ID!) { claimRenderTask(workerId: $w) { id job { id } } }`,
        { w: workerId },
      );
      const chunk = claimed.claimRenderTask;
      if (!chunk) throw new Error('no chunk to claim while the job is unfinished');
      await api(
        `mutation($t: ID!, $w: ID) { reportRenderTask(taskId: $t, status: SUCCEEDED, coreSeconds: 900, workerId: $w) { id } }`,
        { t: chunk.id, w: workerId },
      );
      if (chunk.job.id !== jobId) continue;
      done += 1;
      // The bar follows each report (renderJobChanged over the WebSocket).
      await card
        .locator(`[role=progressbar][aria-valuenow="${done}"]`)
        .waitFor({ timeout: 15_000 });
      if (done === 2) await savePageScreenshot(page, 'render-queue-progress');
    }

    await page.locator(`[data-job-id="${jobId}"][data-status="SUCCEEDED"]`).waitFor();
    expect(await bar.getAttribute('aria-valuetext')).toBe('4 of 4 chunks (100%)');
    // A finished job offers nothing the server would refuse.
    expect(await card.locator('[data-action]').count()).toBe(0);
    expect(await card.getByRole('form').count()).toBe(0);
    expect(await card.getByTestId('job-cost').textContent()).toContain('€');
    expect(
      await page.evaluate(() => (window as unknown as { e2eNoReload?: boolean }).e2eNoReload),
    ).toBe(true);

    // The workers view lists the agent's node; the cost view the shot.
    await page.getByRole('tab', { name: 'Workers' }).click();
    await page
      .getByRole('rowheader', { name: /^e2e-node-/ })
      .first()
      .waitFor();
    await savePageScreenshot(page, 'render-workers');
    await page.getByRole('tab', { name: 'Cost by shot' }).click();
    await page.locator(`tr[data-shot="${shot.code}"]`).waitFor();
    await savePageScreenshot(page, 'render-costs');
  });
});
