import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { MIN_BYTES, precompressDirectory } from './precompress.ts';

describe('precompressDirectory', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function build(files: Record<string, string | Buffer>): string {
    const dir = mkdtempSync(join(tmpdir(), 'precompress-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'assets'));
    for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
    return dir;
  }

  it('writes brotli and gzip copies that decompress to the original text files', () => {
    const js = 'export const board = "task board";\n'.repeat(200);
    const html = `<!doctype html><title>Studiograph</title>${'<p>x</p>'.repeat(100)}`;
    const dir = build({ 'assets/app.1a2b.js': js, 'index.html': html });
    const written = precompressDirectory(dir);
    expect(written.map((w) => w.file).sort()).toEqual(
      [join(dir, 'assets/app.1a2b.js'), join(dir, 'index.html')].sort(),
    );
    const file = join(dir, 'assets/app.1a2b.js');
    expect(brotliDecompressSync(readFileSync(`${file}.br`)).toString()).toBe(js);
    expect(gunzipSync(readFileSync(`${file}.gz`)).toString()).toBe(js);
    const entry = written.find((w) => w.file === file);
    expect(entry?.brotli).toBeGreaterThan(0);
    expect(entry?.brotli).toBeLessThan(js.length / 10);
    expect(gunzipSync(readFileSync(join(dir, 'index.html.gz'))).toString()).toBe(html);
  });

  it('leaves binary formats, small files and incompressible data alone', () => {
    const random = randomBytes(4096);
    const dir = build({
      'assets/logo.png': 'p'.repeat(4096),
      'assets/tiny.css': 'a{}'.repeat(Math.floor((MIN_BYTES - 1) / 3)),
      'assets/noise.json': random,
    });
    precompressDirectory(dir);
    expect(existsSync(join(dir, 'assets/logo.png.gz'))).toBe(false);
    expect(existsSync(join(dir, 'assets/tiny.css.br'))).toBe(false);
    // Random bytes grow under either coding: no copy is written.
    expect(existsSync(join(dir, 'assets/noise.json.br'))).toBe(false);
    expect(existsSync(join(dir, 'assets/noise.json.gz'))).toBe(false);
  });
});
