/**
 * Hot statements as named prepared statements. Prisma's PostgreSQL adapter sends every query as
 * an unnamed statement that PostgreSQL parses and plans again each time, and Prisma itself costs
 * ~110 µs of CPU per query; the create path runs one hand-written statement instead, prepared
 * once per connection on the same `pg` pool Prisma uses. The embedded database (PGlite: one
 * connection, in-process) runs the same text through Prisma's `$queryRawUnsafe`.
 *
 * Prisma stays the data layer for the model and every other path; test/create-path.test.ts
 * checks that what these statements return equals the row Prisma reads back.
 */
import type pg from "pg";
import type { PrismaClient } from "../generated/prisma/client.js";

/** A statement with a name unique in the process: PostgreSQL prepares it once per connection. */
export interface NamedStatement {
  readonly name: string;
  readonly text: string;
}

/** Runs named statements; rows come back with the column names the statement gives them. */
export interface StatementRunner {
  query<Row>(statement: NamedStatement, values: readonly unknown[]): Promise<Row[]>;
}

/** On PostgreSQL: the pool Prisma's adapter uses, so no connections are added. */
export function poolStatements(pool: pg.Pool, onQuery?: (sql: string) => void): StatementRunner {
  return {
    async query<Row>(statement: NamedStatement, values: readonly unknown[]) {
      onQuery?.(statement.text);
      const result = await pool.query({
        name: statement.name,
        text: statement.text,
        values: values as unknown[],
      });
      return result.rows as Row[];
    },
  };
}

/** Through Prisma (the embedded database): the same text, unprepared. */
export function prismaStatements(prisma: PrismaClient): StatementRunner {
  return {
    query<Row>(statement: NamedStatement, values: readonly unknown[]) {
      return prisma.$queryRawUnsafe<Row[]>(statement.text, ...values);
    },
  };
}

/**
 * How many distinct statement texts of Prisma's one process prepares by name on PostgreSQL.
 * Prisma's SQL is fixed by a query's shape, so an app has a few dozen; the bound keeps a shape
 * that varies (an `IN` list of any length) from filling every connection's memory. Past it,
 * statements run unnamed, as before.
 */
export const PREPARED_STATEMENT_LIMIT = 500;

/**
 * Names for Prisma's statements (PrismaPg's `statementNameGenerator`): the same text, the same
 * name, so each connection parses and plans it once. `undefined` (unnamed) past `limit`.
 */
export function prismaStatementNames(
  limit = PREPARED_STATEMENT_LIMIT,
): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  return ({ sql }) => {
    let name = names.get(sql);
    if (name === undefined && names.size < limit) {
      name = `wg_prisma_${names.size}`;
      names.set(sql, name);
    }
    // pg runs a statement without a name unprepared; the adapter's type says string only.
    return name as string;
  };
}

const runners = new WeakMap<PrismaClient, StatementRunner>();

/** Called where a database is opened: its Prisma client's statements go to `runner`. */
export function registerStatements(prisma: PrismaClient, runner: StatementRunner): void {
  runners.set(prisma, runner);
}

/**
 * The runner for this Prisma client: the `pg` pool it was opened with on PostgreSQL, Prisma
 * itself otherwise (a client opened elsewhere, the embedded database).
 */
export function statementsFor(prisma: PrismaClient): StatementRunner {
  let runner = runners.get(prisma);
  if (!runner) {
    runner = prismaStatements(prisma);
    runners.set(prisma, runner);
  }
  return runner;
}
