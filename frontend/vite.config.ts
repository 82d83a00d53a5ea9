import { fileURLToPath, URL } from 'node:url';
import { defineConfig } from 'vitest/config';
import { precompress } from './scripts/precompress.ts';
import { splitDocuments } from './scripts/split-documents.ts';

// `make dev` serves the built SPA from the gateway; `npm run dev` proxies the API to a gateway
// on GATEWAY_URL (default http://127.0.0.1:4000) so cookies and WebSockets stay same-origin.
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  // Each GraphQL document in its own module, so every page's chunk holds only its own.
  plugins: [
    splitDocuments({
      generatedFile: fileURLToPath(new URL('./src/gql/graphql.ts', import.meta.url)),
    }),
    // A .br and a .gz copy of each text file, sent by the gateway to browsers that accept them.
    precompress(),
  ],
  build: {
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    proxy: {
      '/graphql': { target: gateway, ws: true },
      '/auth': { target: gateway },
    },
  },
  test: {
    environment: 'jsdom',
    globals: false,
    setupFiles: ['./src/testing/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}', 'scripts/**/*.test.ts'],
    css: false,
  },
});
