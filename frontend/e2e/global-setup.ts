import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    gatewayUrl: string;
  }
}

const frontend = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(frontend, '..');
const dist = join(frontend, 'dist');
const manifest = join(frontend, 'build', 'persisted-operations.json');

/** Reads the launcher's output until it prints the gateway's URL. */
function gatewayUrlOf(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^gateway\s+(http:\/\/\S+)/m.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
    });
    child.on('exit', (code) => {
      reject(
        new Error(
          `scripts/test_stack.py exited (${String(code)}) before the stack was up:\n${output}`,
        ),
      );
    });
  });
}

/**
 * A private stack (fresh databases, the three subgraphs and the gateway on free ports) whose
 * gateway serves the built SPA with its manifest and lets browser sessions run persisted
 * operations only, so the tests prove the SPA never sends anything else.
 */
export default async function setup(project: TestProject) {
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
    { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stopped = new Promise<void>((resolve) =>
    child.on('exit', () => {
      resolve();
    }),
  );
  try {
    project.provide('gatewayUrl', await gatewayUrlOf(child));
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  return async () => {
    child.kill('SIGTERM');
    await stopped;
  };
}
