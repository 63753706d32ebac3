import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schemaDrift } from "../scripts/schema-drift.js";
import { migratePglite, migratePostgres } from "../src/db/migrate.js";

const MIGRATIONS = new URL("../prisma/migrations/", import.meta.url);

/** What `_prisma_migrations` must hold once every migration is applied, computed independently. */
const expected = readdirSync(MIGRATIONS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort()
  .map((name) => ({
    migration_name: name,
    checksum: createHash("sha256")
      .update(readFileSync(new URL(`${name}/migration.sql`, MIGRATIONS)))
      .digest("hex"),
  }));
const names = expected.map((row) => row.migration_name);

const HISTORY = `SELECT id, migration_name, checksum, finished_at, rolled_back_at, logs, applied_steps_count
  FROM _prisma_migrations ORDER BY started_at`;

interface HistoryRow {
  id: string;
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}

/** The rows as `prisma migrate deploy` writes them for successful migrations. */
function expectPrismaHistory(rows: HistoryRow[]): void {
  expect(rows.map(({ migration_name, checksum }) => ({ migration_name, checksum }))).toEqual(
    expected,
  );
  for (const row of rows) {
    expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(row.finished_at).toBeInstanceOf(Date);
    expect(row).toMatchObject({ rolled_back_at: null, logs: null, applied_steps_count: 1 });
  }
}

// One in-memory PGlite for the whole file: each costs about 4 s.
describe("migrations on PGlite", () => {
  const db = new PGlite();
  let first: { applied: string[] };
  beforeAll(async () => {
    first = await migratePglite(db);
  }, 60_000);
  afterAll(() => db.close());

  it("has at least the initial migration", () => {
    expect(names.length).toBeGreaterThan(0);
  });

  it("applies every migration and records it as Prisma does", async () => {
    expect(first.applied).toEqual(names);
    expectPrismaHistory((await db.query<HistoryRow>(HISTORY)).rows);
  });

  it("does nothing the second time", async () => {
    expect(await migratePglite(db)).toEqual({ applied: [] });
    expect((await db.query<HistoryRow>(HISTORY)).rows).toHaveLength(names.length);
  });

  it("yields exactly what schema.prisma describes (else: npx tsx scripts/migration-new.ts <name>)", async () => {
    expect(await schemaDrift(db)).toBe("");
  }, 30_000);

  it("reports drift when the database differs from schema.prisma", async () => {
    await db.exec(`ALTER TABLE "users" ADD COLUMN "stray" INTEGER`);
    try {
      expect(await schemaDrift(db)).toContain(`DROP COLUMN "stray"`);
    } finally {
      await db.exec(`ALTER TABLE "users" DROP COLUMN "stray"`);
    }
  }, 30_000);

  it("refuses a migration edited after it was applied, with a one-line error", async () => {
    const name = names[0] ?? "";
    await db.query(`UPDATE _prisma_migrations SET checksum = $1 WHERE migration_name = $2`, [
      "0".repeat(64),
      name,
    ]);
    try {
      const error = await migratePglite(db).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain(
        `Migration ${name} was edited after it was applied`,
      );
      expect((error as Error).message).not.toContain("\n");
    } finally {
      await db.query(`UPDATE _prisma_migrations SET checksum = $1 WHERE migration_name = $2`, [
        expected[0]?.checksum,
        name,
      ]);
    }
  });
});

const serverUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!serverUrl)("migrations on PostgreSQL (needs TEST_DATABASE_URL)", () => {
  // Each test gets an empty database of its own, created and dropped through this connection.
  const admin = new pg.Client({ connectionString: serverUrl });
  const created: string[] = [];
  beforeAll(() => admin.connect());
  afterAll(async () => {
    for (const name of created) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  async function emptyDatabase(): Promise<string> {
    const name = `migrate_test_${randomUUID().replaceAll("-", "")}`;
    await admin.query(`CREATE DATABASE "${name}"`);
    created.push(name);
    const url = new URL(serverUrl ?? "");
    url.pathname = `/${name}`;
    return url.toString();
  }

  async function history(url: string): Promise<HistoryRow[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<HistoryRow>(HISTORY)).rows;
    } finally {
      await client.end();
    }
  }

  it("applies every migration to an empty database, then does nothing", async () => {
    const url = await emptyDatabase();
    expect(await migratePostgres(url)).toEqual({ applied: names });
    expectPrismaHistory(await history(url));
    expect(await migratePostgres(url)).toEqual({ applied: [] });
    expect(await history(url)).toHaveLength(names.length);
  }, 30_000);

  it("lets two replicas start at once: both succeed, each migration is recorded once", async () => {
    const url = await emptyDatabase();
    const runs = await Promise.allSettled([migratePostgres(url), migratePostgres(url)]);
    expect(runs).toContainEqual({ status: "fulfilled", value: { applied: names } });
    expect(runs).toContainEqual({ status: "fulfilled", value: { applied: [] } });
    expectPrismaHistory(await history(url));
  }, 30_000);
});
