/**
 * The project's own migration runner: `prisma migrate` cannot run offline, so this applies
 * `prisma/migrations/<name>/migration.sql` itself and keeps the history in Prisma's
 * `_prisma_migrations` table, in the same shape, so `prisma migrate deploy` accepts it.
 */
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";

/** Where `prisma migrate dev` writes; resolved from this file so the cwd does not matter. */
const MIGRATIONS_DIR = new URL("../../prisma/migrations/", import.meta.url);

/** Prisma's own advisory lock key: this runner and `prisma migrate deploy` exclude each other. */
const LOCK_KEY = 72707369;

// Verbatim the DDL Prisma's schema engine runs for PostgreSQL.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
`;

/** The little the runner needs from a connection; one session, so the advisory lock holds. */
interface Session {
  /** Runs a script of one or more statements, without parameters. */
  exec(sql: string): Promise<void>;
  query<R>(sql: string, params?: unknown[]): Promise<R[]>;
}

interface Migration {
  name: string;
  sql: string;
  /** sha256 hex of the file's bytes, as Prisma computes it. */
  checksum: string;
}

interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

/**
 * Applies the pending migrations to the PostgreSQL database at `url`, on a connection of its
 * own (advisory locks belong to a session), closed before returning. Replicas starting at once
 * are safe: a second run waits for the lock, then finds nothing to do.
 * @returns the names of the migrations applied, in order (empty when up to date)
 */
export async function migratePostgres(url: string): Promise<{ applied: string[] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await migrate({
      exec: async (sql) => {
        await client.query(sql);
      },
      query: async (sql, params) => (await client.query(sql, params)).rows,
    });
  } finally {
    await client.end();
  }
}

/**
 * Applies the pending migrations to an open PGlite database. PGlite is one process and one
 * session; the caller keeps other processes out (the data directory's lock file).
 * @returns the names of the migrations applied, in order (empty when up to date)
 */
export async function migratePglite(db: PGlite): Promise<{ applied: string[] }> {
  return migrate({
    exec: async (sql) => {
      await db.exec(sql);
    },
    query: async <R>(sql: string, params?: unknown[]) => (await db.query<R>(sql, params)).rows,
  });
}

async function migrate(session: Session): Promise<{ applied: string[] }> {
  const migrations = await readMigrations();
  await session.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
  try {
    const [table] = await session.query<{ exists: boolean }>(
      "SELECT to_regclass('_prisma_migrations') IS NOT NULL AS exists",
    );
    if (!table?.exists) await session.exec(CREATE_MIGRATIONS_TABLE);
    // Rolled-back rows do not count, as for Prisma: such a migration is applied again.
    const history = await session.query<HistoryRow>(
      "SELECT migration_name, checksum, finished_at FROM _prisma_migrations WHERE rolled_back_at IS NULL",
    );
    const pending = migrations.filter((migration) => !isApplied(migration, history));
    for (const migration of pending) await apply(session, migration);
    return { applied: pending.map((migration) => migration.name) };
  } finally {
    // Best effort: closing the session releases the lock anyway.
    await session.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]).catch(() => undefined);
  }
}

/**
 * Throws, before anything is applied, on a recorded migration whose file has changed (Prisma
 * calls it edited) or that failed (`prisma migrate deploy` refuses those too: P3009).
 */
function isApplied(migration: Migration, history: HistoryRow[]): boolean {
  const rows = history.filter((row) => row.migration_name === migration.name);
  const done = rows.find((row) => row.finished_at !== null);
  if (done && done.checksum !== migration.checksum) {
    throw new Error(
      `Migration ${migration.name} was edited after it was applied (checksum ${migration.checksum}, recorded ${done.checksum}); restore the file and add a new migration instead`,
    );
  }
  if (!done && rows.length > 0) {
    throw new Error(
      `Migration ${migration.name} is recorded as failed in _prisma_migrations; fix the database, then run \`prisma migrate resolve\``,
    );
  }
  return done !== undefined;
}

/** One transaction per migration: the schema change and its history row commit together. */
async function apply(session: Session, migration: Migration): Promise<void> {
  await session.exec("BEGIN");
  try {
    await session.exec(migration.sql);
    // now() is the transaction's start, clock_timestamp() the real end.
    await session.query(
      `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
       VALUES ($1, $2, clock_timestamp(), $3, now(), 1)`,
      [randomUUID(), migration.checksum, migration.name],
    );
    await session.exec("COMMIT");
  } catch (error) {
    await session.exec("ROLLBACK").catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Migration ${migration.name} failed and was rolled back: ${reason}`, {
      cause: error,
    });
  }
}

/** Every `<name>/migration.sql`, in lexical order of `<name>` (the timestamp first). */
async function readMigrations(): Promise<Migration[]> {
  const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return []; // like Prisma: no directory, no migrations
      throw error;
    },
  );
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(new URL(`${name}/migration.sql`, MIGRATIONS_DIR));
      const checksum = createHash("sha256").update(bytes).digest("hex");
      return { name, sql: bytes.toString("utf8"), checksum };
    }),
  );
}
