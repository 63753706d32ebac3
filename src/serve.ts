import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";
import { buildApp } from "./app.js";
import type { Env } from "./env.js";
import { banner } from "./operator/banner.js";
import { createFirstUser, type FirstUser } from "./operator/first-run.js";

/** A start-up failure the operator can fix, printed as its one line. */
export class StartupError extends Error {}

/** How long start-up waits for a configured Redis to answer. */
const REDIS_CHECK_TIMEOUT_MS = 3000;

/**
 * `workspace-gateway serve`: start, greet, and run until SIGTERM/SIGINT, then stop within 10
 * seconds. On a brand-new embedded database it also creates a development user, token and
 * project, and prints how to use them.
 */
export async function serve(env: Env): Promise<void> {
  if (env.REDIS_URL) await checkRedis(env.REDIS_URL);
  const embedded = env.DATABASE_URL === undefined;
  if (embedded) {
    const dataDir = resolve(env.DATA_DIR);
    // initdb and the migrations take seconds on a first start; say what is happening.
    progress(
      existsSync(join(dataDir, "pgdata"))
        ? `opening the embedded database in ${dataDir}…`
        : `initialising the embedded database in ${dataDir} (first start, about 10 s)…`,
    );
  }
  const app = await buildApp({ env });
  // Before listening: a signal that comes once /healthz answers must find the handler.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.http.log.info({ signal }, "shutting down");
    const deadline = setTimeout(() => {
      app.http.log.error({}, "shutdown took longer than 10 s; exiting");
      process.exit(1);
    }, 10_000);
    deadline.unref();
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        app.http.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  const url = await app.start();
  app.http.log.info({ url, database: app.database.kind }, "workspace-gateway listening");
  // A signal during the first start closes the database under it: that is no failure.
  const firstUser: FirstUser | null = embedded
    ? await createFirstUser({ services: app.services, database: app.database }).catch(
        (error: unknown) => {
          if (stopping) return null;
          throw error;
        },
      )
    : null;
  if (!stopping) process.stdout.write(banner({ url, env, firstUser }));
}

function progress(line: string): void {
  process.stdout.write(`${line}\n`);
}

/**
 * A configured Redis must answer before the server starts: replicas would otherwise miss each
 * other's status events without anyone noticing. (Once running, an outage shows in /readyz.)
 */
async function checkRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: REDIS_CHECK_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The socket's error says why (ECONNREFUSED, ENOTFOUND); connect() only says it closed.
  let cause: Error | undefined;
  redis.on("error", (error: Error) => {
    cause = error;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const reason =
      (cause ?? error) instanceof Error ? (cause ?? (error as Error)).message : String(error);
    throw new StartupError(
      `REDIS_URL ${withoutPassword(url)} cannot be reached (${reason}); start Redis, or unset REDIS_URL to run one replica without it`,
    );
  } finally {
    redis.disconnect();
  }
}

function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.href;
}
