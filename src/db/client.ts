import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "../generated/prisma/client.js";
import { DataDirLockedError, lockDataDir } from "./data-dir.js";
import { migratePglite, migratePostgres } from "./migrate.js";
import { poolStatements, prismaStatementNames, registerStatements } from "./statements.js";

export type { PrismaClient } from "../generated/prisma/client.js";

/** The database the services run on: PostgreSQL when a URL is given, otherwise embedded PGlite. */
export interface Database {
  readonly prisma: PrismaClient;
  readonly kind: "postgres" | "embedded";
  /** Applies pending migrations; returns the names applied. */
  migrate(): Promise<{ applied: string[] }>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A postgresql:// URL; unset means the embedded database under `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Apply pending migrations before returning. */
  migrate?: boolean;
  /** Receives every SQL statement Prisma runs (tests pin query counts with it). */
  onQuery?: (sql: string) => void;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  /**
   * PostgreSQL cancels any statement of this pool that runs longer (its `statement_timeout`,
   * set when each connection opens); 0 or unset: no limit. The embedded database has none.
   */
  statementTimeoutMs?: number;
  /** Distinct Prisma statement texts prepared by name (default PREPARED_STATEMENT_LIMIT). */
  preparedStatementLimit?: number;
}

export { DataDirLockedError };

/**
 * PGlite's own start parameters, with PostgreSQL's shared buffer pool at 32 MB instead of 128 MB:
 * the idle server's RSS falls by about 100 MB (measured: 530–570 → 430–470 MB; PGlite alone
 * ~340 → ~230 MB), and a development dataset still fits; evicted pages come back from the OS
 * page cache.
 */
const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, "-c", "shared_buffers=32MB"];

/** SQLSTATE query_canceled: PostgreSQL's answer when `statement_timeout` ends a statement. */
const QUERY_CANCELED = "57014";

/**
 * True when `error` (a Prisma error, or what wraps one) is PostgreSQL cancelling a statement that
 * ran past `statement_timeout`. Prisma reports it through the driver adapter's error.
 */
export function isStatementTimeout(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = error; typeof current === "object" && current !== null; ) {
    if (seen.has(current)) return false;
    seen.add(current);
    const { code, originalCode, meta, cause, originalError } = current as Record<string, unknown>;
    if (code === QUERY_CANCELED || originalCode === QUERY_CANCELED) return true;
    const adapterError = (meta as Record<string, unknown> | undefined)?.driverAdapterError;
    current = adapterError ?? cause ?? originalError;
  }
  return false;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const url = options.databaseUrl;
    if (options.migrate) await migratePostgres(url);
    // One pool for Prisma and for the named statements of src/db/statements.ts.
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    });
    // An idle connection's error (a server restart) must not crash the process: the next query
    // fails and is answered 503. Prisma adds its own listener once connected.
    pool.on("error", () => {});
    const adapter = new PrismaPg(pool, {
      statementNameGenerator: prismaStatementNames(options.preparedStatementLimit),
    });
    const prisma = createPrismaClient(adapter, options.onQuery);
    registerStatements(prisma, poolStatements(pool, options.onQuery));
    return {
      prisma,
      kind: "postgres",
      migrate: () => migratePostgres(url),
      async close() {
        await prisma.$disconnect();
        await pool.end();
      },
    };
  }
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const releaseLock = lockDataDir(dataDir);
  try {
    const pglite = await PGlite.create(join(dataDir, "pgdata"), {
      startParams: PGLITE_START_PARAMS,
    });
    const database = await wrapPglite(pglite, options);
    return {
      ...database,
      async close() {
        await database.close();
        await pglite.close();
        releaseLock();
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}

/** Prisma on an already open PGlite (tests share one in-memory instance per worker). */
export async function wrapPglite(
  pglite: PGlite,
  options: Pick<OpenDatabaseOptions, "migrate" | "onQuery"> = {},
): Promise<Database> {
  if (options.migrate) await migratePglite(pglite);
  const prisma = createPrismaClient(new PrismaPGlite(pglite), options.onQuery);
  return {
    prisma,
    kind: "embedded",
    migrate: () => migratePglite(pglite),
    close: () => prisma.$disconnect(),
  };
}

function createPrismaClient(
  adapter: PrismaPg | PrismaPGlite,
  onQuery?: (sql: string) => void,
): PrismaClient {
  // "minimal": Prisma otherwise builds a `new Error()` per query to point at the call site in
  // its error messages, CPU on every query; only NODE_ENV=production switched that off before.
  if (!onQuery) return new PrismaClient({ adapter, errorFormat: "minimal" });
  const prisma = new PrismaClient({
    adapter,
    errorFormat: "minimal",
    log: [{ emit: "event", level: "query" }] as const,
  });
  prisma.$on("query", (event) => onQuery(event.query));
  return prisma as unknown as PrismaClient;
}
