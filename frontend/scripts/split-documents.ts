// A Vite plugin that gives each GraphQL document a module of its own, so a page's chunk carries
// only the documents that page uses.
//
// graphql-codegen's client preset puts every document in one module (src/gql/graphql.ts) and maps
// source text to document at run time through `graphql()` (src/gql/gql.ts): whichever chunk
// imports it gets all of them (about 110 kB before gzip). Here each
// `graphql(`...`)` call becomes an import of `virtual:studiograph-document/<Name>`, a module whose
// default export is exactly the object codegen wrote for that document (its `__meta__.hash`
// included, so persisted operations keep working), and the `graphql` import goes away. Anything
// it cannot rewrite fails the build rather than silently pulling the whole map back in.
import { readFileSync } from 'node:fs';
import { Kind, parse } from 'graphql';
import type { Plugin } from 'vite';

const PREFIX = 'virtual:studiograph-document/';
const RESOLVED = `\0${PREFIX}`;
const IMPORT = /^import \{ graphql \} from '@\/gql';[ \t]*$/m;
const CALL = /\bgraphql\(\s*`((?:[^`$\\]|\$(?!\{))*)`\s*\)/g;
const EXPORT = /^export const (\w+) = (\{.*\}) as unknown as DocumentNode<.*$/gm;

/** The export codegen gives the one definition in `source` (`<Op>Document`, `<Frag>FragmentDoc`). */
export function documentExportName(source: string): string {
  const definitions = parse(source).definitions;
  const definition = definitions[0];
  if (definitions.length !== 1 || !definition) {
    throw new Error('a graphql() call must hold exactly one operation or fragment');
  }
  if (definition.kind === Kind.FRAGMENT_DEFINITION) return `${definition.name.value}FragmentDoc`;
  if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) {
    return `${definition.name.value}Document`;
  }
  throw new Error('a graphql() call must hold a named operation or a fragment');
}

/** Rewrites the `graphql()` calls of one module; `null` when it has none. */
export function rewriteDocuments(code: string, id: string): string | null {
  if (!IMPORT.test(code)) return null;
  const names = new Set<string>();
  // Same number of lines as the call it replaces, so stack traces keep their line numbers.
  let rewritten = code.replace(CALL, (call, source: string) => {
    const name = documentExportName(source);
    names.add(name);
    return `__document_${name}${'\n'.repeat(call.split('\n').length - 1)}`;
  });
  const imports = [...names]
    .map((name) => `import __document_${name} from '${PREFIX}${name}';`)
    .join(' ');
  rewritten = rewritten.replace(IMPORT, imports);
  if (/\bgraphql\(/.test(rewritten)) {
    throw new Error(`${id}: a graphql() call is not a plain template literal; write it as one`);
  }
  return rewritten;
}

/** Every document object codegen wrote in graphql.ts, by export name, as JSON text. */
export function documentsOf(generated: string): Map<string, string> {
  return new Map([...generated.matchAll(EXPORT)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

export function splitDocuments({ generatedFile }: { generatedFile: string }): Plugin {
  return {
    name: 'studiograph-split-documents',
    enforce: 'pre',
    resolveId(source) {
      return source.startsWith(PREFIX) ? `\0${source}` : null;
    },
    load(id) {
      if (!id.startsWith(RESOLVED)) return null;
      this.addWatchFile(generatedFile);
      const name = id.slice(RESOLVED.length);
      const json = documentsOf(readFileSync(generatedFile, 'utf8')).get(name);
      if (json === undefined) {
        throw new Error(`${name} is not in ${generatedFile}: run \`npm run codegen\``);
      }
      return `export default ${json};\n`;
    },
    transform(code, id) {
      if (!/\.tsx?$/.test(id) || id.includes('/src/gql/') || id.includes('/node_modules/')) {
        return null;
      }
      const rewritten = rewriteDocuments(code, id);
      return rewritten === null ? null : { code: rewritten, map: null };
    },
  };
}
