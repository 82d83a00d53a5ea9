import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results');

/** Saves a screenshot of a page the tests reached (whole page unless told), under test-results/ (git-ignored). */
export async function savePageScreenshot(
  page: Page,
  name: string,
  { fullPage = true }: { fullPage?: boolean } = {},
): Promise<string> {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `page-${name.replace(/[^a-z0-9-]+/gi, '-')}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}
