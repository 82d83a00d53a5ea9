// Composes schema/{hr,production,render}.graphql into schema/supergraph.graphql and writes the
// client-facing schema/api.graphql. With --check, fails (exit 1) when composition reports errors
// or a committed file is stale, and rewrites the stale file so the change shows up in review.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'graphql';
import { composeServices } from '@theguild/federation-composition';

const here = dirname(fileURLToPath(import.meta.url));
const check = process.argv.includes('--check');
// Subgraph routing URLs in the supergraph (overridable per subgraph by the gateway's env).
const subgraphs = [
  { name: 'hr', url: 'http://127.0.0.1:4001/graphql' },
  { name: 'production', url: 'http://127.0.0.1:4002/graphql' },
  { name: 'render', url: 'http://127.0.0.1:4003/graphql' },
];

const result = composeServices(
  subgraphs.map(({ name, url }) => ({ name, url, typeDefs: parse(readFileSync(join(here, `${name}.graphql`), 'utf8')) })),
);
if (result.errors && result.errors.length > 0) {
  for (const e of result.errors) console.error(`composition error: ${e.message}`);
  process.exit(1);
}

let stale = false;
function emit(file, text) {
  const path = join(here, file);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (current !== text) {
    writeFileSync(path, text);
    stale = true;
    console.error(`${file} was stale and has been rewritten`);
  }
}
emit('supergraph.graphql', result.supergraphSdl.trimEnd() + '\n');
emit('api.graphql', result.publicSdl.trimEnd() + '\n');
if (check && stale) {
  console.error('commit the rewritten schema files');
  process.exit(1);
}
console.log(`composed ${subgraphs.length} subgraphs`);
