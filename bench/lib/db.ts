/** The bench database: created with createdb, dropped at the end. */
import pg from "pg";
import { run } from "./procs.js";

export const PG_HOST = process.env.BENCH_PGHOST ?? "127.0.0.1";
export const PG_PORT = process.env.BENCH_PGPORT ?? "5432";
export const PG_USER = process.env.BENCH_PGUSER ?? "postgres";

export function databaseUrl(name: string): string {
  return `postgresql://${PG_USER}@${PG_HOST}:${PG_PORT}/${name}`;
}

const pgArgs = () => ["-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER];

export async function recreateDatabase(name: string): Promise<void> {
  await dropDatabase(name);
  const created = await run("createdb", [...pgArgs(), name]);
  if (created.code !== 0) throw new Error(`createdb ${name} failed: ${created.stderr.trim()}`);
}

export async function dropDatabase(name: string): Promise<void> {
  const dropped = await run("dropdb", [...pgArgs(), "--if-exists", "--force", name]);
  if (dropped.code !== 0) throw new Error(`dropdb ${name} failed: ${dropped.stderr.trim()}`);
}

export function connect(name: string): pg.Pool {
  return new pg.Pool({ connectionString: databaseUrl(name), max: 2 });
}

export async function count(pool: pg.Pool, table: string): Promise<number> {
  const result = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
  return Number(result.rows[0]?.n ?? 0);
}
