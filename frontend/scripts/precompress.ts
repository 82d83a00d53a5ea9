// A Vite plugin that writes a brotli (`.br`) and a gzip (`.gz`) copy beside every text file of the
// build, at the highest levels, once. The gateway sends the best copy the browser accepts
// (gateway/src/spa.rs), so no request pays for compression and the first load moves about a
// quarter of the bytes.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** The extensions the gateway serves precompressed (keep in step with `compressible` there). */
export const COMPRESSIBLE = new Set([
  '.html',
  '.js',
  '.mjs',
  '.css',
  '.json',
  '.map',
  '.svg',
  '.txt',
  '.webmanifest',
]);

/** Files smaller than this are sent as they are: a coding would save less than its headers. */
export const MIN_BYTES = 512;

/** One file's sizes: original, brotli and gzip (0 when that copy was not written). */
export interface Compressed {
  file: string;
  size: number;
  brotli: number;
  gzip: number;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Writes `<file>.br` and `<file>.gz` for every compressible file under `dir` of at least
 * {@link MIN_BYTES}, each only when it is smaller than the original; returns what it wrote.
 */
export function precompressDirectory(dir: string): Compressed[] {
  const written: Compressed[] = [];
  for (const file of filesUnder(dir)) {
    if (!COMPRESSIBLE.has(extname(file))) continue;
    const bytes = readFileSync(file);
    if (bytes.length < MIN_BYTES) continue;
    const brotli = brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      },
    });
    const gzip = gzipSync(bytes, { level: 9 });
    const entry: Compressed = { file, size: bytes.length, brotli: 0, gzip: 0 };
    if (brotli.length < bytes.length) {
      writeFileSync(`${file}.br`, brotli);
      entry.brotli = brotli.length;
    }
    if (gzip.length < bytes.length) {
      writeFileSync(`${file}.gz`, gzip);
      entry.gzip = gzip.length;
    }
    written.push(entry);
  }
  return written;
}

/** Precompresses the build's output directory after Vite has written it. */
export function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'studiograph-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      precompressDirectory(outDir);
    },
  };
}
