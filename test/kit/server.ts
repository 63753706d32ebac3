import { afterAll, beforeAll } from "vitest";
import { type App, buildApp } from "../../src/app.js";
import type { Database } from "../../src/db/client.js";
import { parseEnv } from "../../src/env.js";
import type { Services } from "../../src/services/index.js";

export interface TestServer {
  app: App;
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  services: Services;
  database: Database;
}

/** Starts a real server on a free loopback port over `database`. The caller stops it. */
export async function startServer(
  database: Database,
  env: Record<string, string> = {},
): Promise<TestServer> {
  const app = await buildApp({
    env: parseEnv({
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "silent",
      SIMULATED_PROVISION_DELAY_MS: "50",
      // Limits are off unless a suite is about them (test/rate-limits.test.ts).
      RATE_LIMIT_PER_MINUTE: "0",
      CREATE_RATE_LIMIT_PER_MINUTE: "0",
      WORKSPACE_QUOTA: "0",
      ...env,
    }),
    database,
  });
  const url = await app.start();
  return { app, url, services: app.services, database };
}

/**
 * For a describe block: a server started before its tests and stopped after them. The fields
 * of the returned object are filled in by the time the tests run.
 */
export function useServer(open: () => Promise<Database>, env: Record<string, string> = {}) {
  const server = {} as TestServer;
  beforeAll(async () => {
    Object.assign(server, await startServer(await open(), env));
  });
  afterAll(async () => {
    await server.app?.stop();
  });
  return server;
}
