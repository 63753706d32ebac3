import { PGlite } from "@electric-sql/pglite";
import { Redis } from "ioredis";
import { type Database, openDatabase, wrapPglite } from "../../src/db/client.js";
import { Prisma as PrismaSql } from "../../src/generated/prisma/client.js";

/** TEST_DATABASE_URL: a PostgreSQL database the suites may write to (CI always sets it). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;

/** Kills the TEST_REDIS_URL connections with this CLIENT SETNAME name; returns how many. */
export async function killRedisClient(name: string): Promise<number> {
  const redis = new Redis(TEST_REDIS_URL ?? "");
  try {
    const list = String(await redis.client("LIST"));
    const ids = list
      .split("\n")
      .filter((line) => line.includes(` name=${name} `))
      .map((line) => /(?:^|\s)id=(\d+)/.exec(line)?.[1])
      .filter((id): id is string => id !== undefined);
    for (const id of ids) await redis.client("KILL", "ID", id);
    return ids.length;
  } finally {
    redis.disconnect();
  }
}

let embedded: Promise<Database> | undefined;
let postgres: Promise<Database> | undefined;

/** One migrated in-memory PGlite per worker, shared by every file that runs there. */
export function embeddedDatabase(): Promise<Database> {
  embedded ??= PGlite.create().then((pglite) => wrapPglite(pglite, { migrate: true }));
  return embedded;
}

/** One migrated PostgreSQL connection pool per worker on TEST_DATABASE_URL. */
export function postgresDatabase(): Promise<Database> {
  if (!TEST_DATABASE_URL) throw new Error("TEST_DATABASE_URL is not set");
  postgres ??= openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: "", migrate: true });
  return postgres;
}

export interface DatabaseTarget {
  name: "embedded" | "postgres";
  open(): Promise<Database>;
  /** Why the target is skipped here, if it is. */
  skip?: string;
}

/** The databases a suite runs against: always the embedded one, PostgreSQL when configured. */
export const databaseTargets: DatabaseTarget[] = [
  { name: "embedded", open: embeddedDatabase },
  {
    name: "postgres",
    open: postgresDatabase,
    ...(TEST_DATABASE_URL ? {} : { skip: "TEST_DATABASE_URL is not set" }),
  },
];

/**
 * The same databases, each opened afresh with a log of every statement (`onQuery`): for the
 * suites that pin the SQL a request runs. The embedded one is a PGlite of its own.
 */
export const loggedDatabaseTargets = [
  {
    name: "embedded",
    skip: undefined,
    open: async (onQuery: (sql: string) => void): Promise<Database> => {
      const pglite = await PGlite.create();
      const database = await wrapPglite(pglite, { migrate: true, onQuery });
      return {
        ...database,
        async close() {
          await database.close();
          await pglite.close();
        },
      };
    },
  },
  {
    name: "postgres",
    skip: TEST_DATABASE_URL ? undefined : "TEST_DATABASE_URL is not set",
    open: (onQuery: (sql: string) => void): Promise<Database> =>
      openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: "", migrate: true, onQuery }),
  },
] as const;

type Prisma = Database["prisma"];

/**
 * Runs `insert` with the event trigger off: a test's 100,000 settled rows would each bump the
 * project's one event head row inside one statement (a version chain that grows with every row,
 * minutes on a loaded machine); the plans those suites read use no events.
 */
export async function withoutEventTrigger(prisma: Prisma, insert: () => Promise<unknown>) {
  await prisma.$executeRaw`ALTER TABLE workspaces DISABLE TRIGGER workspace_events_append`;
  try {
    await insert();
  } finally {
    await prisma.$executeRaw`ALTER TABLE workspaces ENABLE TRIGGER workspace_events_append`;
  }
}

/** PostgreSQL's plan for `statement`, as EXPLAIN prints it. */
export async function explainPlan(prisma: Prisma, statement: PrismaSql.Sql): Promise<string> {
  const rows = await prisma.$queryRaw<{ "QUERY PLAN": string }[]>(
    PrismaSql.sql`EXPLAIN ${statement}`,
  );
  return rows.map((row) => row["QUERY PLAN"]).join("\n");
}
