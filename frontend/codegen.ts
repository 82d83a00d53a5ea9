import type { CodegenConfig } from '@graphql-codegen/cli';
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';

// Types and typed documents from the client-facing API schema; operations live next to the
// components that use them. `persistedDocuments` writes src/gql/persisted-documents.json
// ({sha256: document}), the manifest the gateway trusts (GATEWAY_PERSISTED_MANIFEST), and puts
// each document's hash on it so the client sends the hash instead of the text.
const config: CodegenConfig = {
  silent: true,
  schema: '../schema/api.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: true,
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: {
        fragmentMasking: false,
        persistedDocuments: { hashAlgorithm: 'sha256' },
      },
      // graphcache normalizes by __typename: the persisted documents must select it themselves.
      documentTransforms: [addTypenameSelectionDocumentTransform],
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
        scalars: { Date: 'string', DateTime: 'string', JSON: 'unknown' },
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
      },
    },
  },
};

export default config;
