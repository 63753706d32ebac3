import { availableParallelism } from "node:os";
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
    // Vitest's default on 2 cores is one worker; the suites spend much of their time waiting
    // (servers starting, long-polls, provision delays), so a second one overlaps that waiting.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Generous: a test's outcome must not depend on how busy the machine is.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default"],
  },
});
