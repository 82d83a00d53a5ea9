// Figures of the SPA, printed only (nothing is asserted): `npm run measure`, and the last step of
// `make frontend-test`. Needs `npm run build` and the debug binaries (like the e2e tests).
//
// 1. The production build: every chunk of dist/ with its size and its gzip and brotli copies.
// 2. The task board's first load on the demo data, against a private stack from
//    scripts/test_stack.py (fresh databases, seeded, debug binaries) serving dist/ as the e2e tests
//    do: signed in as artist@northwind.test, /tasks opened RUNS times in a new browser context
//    (cold: empty HTTP cache) and RUNS times again in one context that has loaded it (warm),
//    timed from the navigation's start to the frame in which the board's cards are laid out.
//    What the cold load downloads is listed from the browser's own requests.
//
// Environment: MEASURE_RUNS (default 7), CHROMIUM_PATH (default /usr/bin/chromium), and
// whatever scripts/test_stack.py reads (CARGO_TARGET_DIR, ...).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const frontend = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(frontend, '..');
const dist = join(frontend, 'dist');
const manifest = join(frontend, 'build', 'persisted-operations.json');
const RUNS = Number(process.env.MEASURE_RUNS ?? 7);
const ARTIST = 'artist@northwind.test';
const PASSWORD = 'studiograph-dev';

const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (value) => `${Math.round(value)} ms`;

/** The size of the build's precompressed copy `path` (scripts/precompress.ts), or of `fallback`. */
function copySize(path, fallback) {
  return existsSync(path) ? statSync(path).size : fallback;
}

/**
 * Every file of dist/ (index.html and assets/*, not the .br/.gz copies) with its size and the
 * sizes of the gzip and brotli copies the build wrote (the file's own size where none was).
 */
function buildFiles() {
  const files = [
    'index.html',
    ...readdirSync(join(dist, 'assets'))
      .filter((f) => !/\.(br|gz)$/.test(f))
      .map((f) => `assets/${f}`),
  ];
  return new Map(
    files.map((file) => {
      const path = join(dist, file);
      const size = statSync(path).size;
      return [
        file,
        { size, gzip: copySize(`${path}.gz`, size), brotli: copySize(`${path}.br`, size) },
      ];
    }),
  );
}

function printTable(rows) {
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, size, gzip, brotli] of rows) {
    console.log(
      `  ${name.padEnd(width)}  ${kB(size).padStart(9)}  ${kB(gzip).padStart(9)} gzip  ${kB(brotli).padStart(9)} brotli`,
    );
  }
}

function printBuild(files) {
  console.log('Production build (dist/):');
  const rows = [...files]
    .filter(([file]) => /\.(js|css)$/.test(file))
    .sort((a, b) => b[1].size - a[1].size)
    .map(([file, { size, gzip, brotli }]) => [file, size, gzip, brotli]);
  const sum = (key) => rows.reduce((total, row) => total + row[key], 0);
  printTable([...rows, ['total (JS + CSS)', sum(1), sum(2), sum(3)]]);
}

/** Starts scripts/test_stack.py as the e2e tests do; resolves with its gateway URL and a stop(). */
function startStack() {
  for (const path of [join(dist, 'index.html'), manifest]) {
    if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first`);
  }
  const child = spawn(
    'python3',
    [
      join(repo, 'scripts', 'test_stack.py'),
      'up',
      '--env',
      `GATEWAY_STATIC_DIR=${dist}`,
      '--env',
      `GATEWAY_PERSISTED_MANIFEST=${manifest}`,
      '--env',
      'GATEWAY_COOKIE_PERSISTED_ONLY=true',
    ],
    { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  const url = new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk.toString();
      const match = /^gateway\s+(http:\/\/\S+)/m.exec(output);
      if (match) resolve(match[1]);
    });
    void exited.then((code) => {
      reject(new Error(`scripts/test_stack.py exited (${code}) before the stack was up`));
    });
  });
  return url.then(
    (gatewayUrl) => ({ gatewayUrl, stop }),
    async (error) => {
      await stop();
      throw error;
    },
  );
}

/** Stamps `window.__cardsVisibleAt` (ms since the navigation started) in the frame the first card is laid out. */
function watchCards() {
  const laidOut = () =>
    [...document.querySelectorAll('[data-task-id]')].some(
      (card) => card.getBoundingClientRect().height > 0,
    );
  const observer = new MutationObserver(() => {
    if (!laidOut()) return;
    observer.disconnect();
    requestAnimationFrame(() => {
      window.__cardsVisibleAt = performance.now();
    });
  });
  observer.observe(document, { childList: true, subtree: true });
}

/** Opens /tasks in `page` and returns the time to the cards, and the assets it fetched. */
async function loadBoard(page, gatewayUrl) {
  const assets = [];
  const codings = new Set();
  const onResponse = (response) => {
    const path = new URL(response.url()).pathname;
    if (path === '/tasks' || path.startsWith('/assets/')) {
      assets.push(path);
      codings.add(response.headers()['content-encoding'] ?? 'identity');
    }
  };
  page.on('response', onResponse);
  await page.goto(`${gatewayUrl}/tasks`);
  await page.waitForFunction(() => window.__cardsVisibleAt !== undefined, null, {
    timeout: 30_000,
  });
  const result = await page.evaluate(() => ({
    cardsAt: window.__cardsVisibleAt,
    cards: document.querySelectorAll('[data-task-id]').length,
    // Bytes the network actually delivered (0 for what the HTTP cache answered).
    transferred: performance
      .getEntriesByType('resource')
      .concat(performance.getEntriesByType('navigation'))
      .reduce((total, entry) => total + entry.transferSize, 0),
    // The two API calls the board waits for: the session, then its query.
    session: performance.getEntriesByType('resource').find((e) => e.name.endsWith('/auth/session'))
      ?.duration,
    query: performance
      .getEntriesByType('resource')
      .find((e) => e.name.endsWith('/graphql') && e.initiatorType === 'fetch')?.duration,
  }));
  page.off('response', onResponse);
  return { ...result, assets, codings: [...codings] };
}

async function signedInContext(browser, gatewayUrl) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const login = await context.request.post(`${gatewayUrl}/auth/login`, {
    data: { email: ARTIST, password: PASSWORD },
  });
  if (!login.ok()) throw new Error(`login as ${ARTIST} failed: HTTP ${login.status()}`);
  await context.addInitScript(watchCards);
  return context;
}

async function measureBoard(gatewayUrl) {
  // The same headless Debian Chromium as the e2e tests (e2e/support.ts).
  const browser = await chromium.launch({
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
  try {
    // One untimed load first, so the stack's own first-request costs (connections, plans) are not
    // counted as the browser's.
    const primer = await signedInContext(browser, gatewayUrl);
    await loadBoard(await primer.newPage(), gatewayUrl);
    await primer.close();

    const cold = [];
    for (let run = 0; run < RUNS; run++) {
      const context = await signedInContext(browser, gatewayUrl);
      cold.push(await loadBoard(await context.newPage(), gatewayUrl));
      await context.close();
    }

    const warm = [];
    const context = await signedInContext(browser, gatewayUrl);
    const page = await context.newPage();
    await loadBoard(page, gatewayUrl);
    for (let run = 0; run < RUNS; run++) warm.push(await loadBoard(page, gatewayUrl));
    await context.close();
    return { cold, warm };
  } finally {
    await browser.close();
  }
}

function printBoard({ cold, warm }, files) {
  const first = cold[0];
  console.log(
    `\nThe task board's first load (${ARTIST}, ${first.cards} cards), what it downloads:`,
  );
  const downloaded = [...new Set(first.assets)].map((path) => {
    const file = path === '/tasks' ? 'index.html' : path.slice(1);
    const sizes = files.get(file) ?? { size: 0, gzip: 0, brotli: 0 };
    return [path === '/tasks' ? '/tasks (index.html)' : file, sizes.size, sizes.gzip, sizes.brotli];
  });
  const sum = (key) => downloaded.reduce((total, row) => total + row[key], 0);
  printTable([...downloaded, [`total (${downloaded.length} files)`, sum(1), sum(2), sum(3)]]);
  console.log(
    `  (sent as ${first.codings.join(' + ')}, the build's precompressed copies: ${kB(median(cold.map((r) => r.transferred)))} over the wire per cold load, API calls included)`,
  );
  const line = (name, runs) => {
    const times = runs.map((r) => r.cardsAt);
    console.log(
      `  ${name}: median ${ms(median(times))} (min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))}, ${runs.length} runs), ${kB(median(runs.map((r) => r.transferred)))} transferred`,
    );
    console.log(
      `    of which GET /auth/session ${ms(median(runs.map((r) => r.session ?? 0)))}, the MyTasks query ${ms(median(runs.map((r) => r.query ?? 0)))} (medians)`,
    );
  };
  console.log(
    '\nTime from navigation to the board’s cards laid out (debug binaries, local stack):',
  );
  line('cold (new browser context)', cold);
  line('warm (same context, cached) ', warm);
}

const files = buildFiles();
printBuild(files);
const stack = await startStack();
try {
  printBoard(await measureBoard(stack.gatewayUrl), files);
} finally {
  await stack.stop();
}
