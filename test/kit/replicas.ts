/**
 * Server processes sharing one scratch PostgreSQL database (the replicas suites): started before
 * a describe block's tests with the settings given, stopped and the database dropped after.
 */
import { afterAll, beforeAll } from "vitest";
import { type Database, openDatabase } from "../../src/db/client.js";
import { createServices, type Services } from "../../src/services/index.js";
import { LocalStatusBus } from "../../src/services/status-bus.js";
import { TEST_DATABASE_URL } from "./database.js";
import { type ServerProcess, scratchPostgres, startServerProcess } from "./processes.js";

export interface Replicas {
  /** The scratch database's URL. */
  url: string;
  /** A connection of the test's own to it, and services over it (seeding, reading back). */
  database: Database;
  services: Services;
  processes: ServerProcess[];
}

/**
 * `count` `serve` processes on a new database named after `label`, with `env` (DATABASE_URL is
 * set here). The fields are filled in by the time the tests run.
 */
export function useReplicas(label: string, env: Record<string, string>, count = 2): Replicas {
  const replicas = { processes: [] as ServerProcess[] } as Replicas;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const scratch = await scratchPostgres(TEST_DATABASE_URL ?? "", label);
    drop = scratch.drop;
    replicas.url = scratch.url;
    replicas.database = await openDatabase({
      databaseUrl: scratch.url,
      dataDir: "",
      migrate: true,
    });
    replicas.services = createServices({
      prisma: replicas.database.prisma,
      gpuKinds: [],
      bus: new LocalStatusBus(),
    });
    replicas.processes = await Promise.all(
      Array.from({ length: count }, () =>
        startServerProcess({ ...env, DATABASE_URL: scratch.url }),
      ),
    );
  }, 120_000);
  afterAll(async () => {
    await Promise.all(
      replicas.processes.map((p) => p.kill("SIGTERM").catch(() => p.kill("SIGKILL"))),
    );
    await replicas.database?.close();
    await drop?.();
  });
  return replicas;
}
