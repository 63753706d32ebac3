import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // One graphql instance: Node loads graphql's CommonJS build for Pothos and yoga, so the
    // sources must get that one too, not the ESM build Vite would pick (two GraphQLError classes).
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/kit/global-setup.ts"],
    pool: "forks",
    // Files in one worker share its embedded database (test/kit/database.ts): a fresh PGlite costs seconds.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default"],
  },
});
