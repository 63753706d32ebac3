/**
 * Which database a command or a server uses, in words: an operator with two data directories
 * (or a DATABASE_URL) must see which one was written. Never a password: host and name only.
 */
import { resolve } from "node:path";
import type { Env } from "../env.js";

type DatabaseEnv = Pick<Env, "DATABASE_URL" | "DATA_DIR">;

/** `/abs/dir (embedded PostgreSQL)` or `PostgreSQL at host:port/name`. */
export function databaseLocation(env: DatabaseEnv): string {
  if (env.DATABASE_URL === undefined) return `${resolve(env.DATA_DIR)} (embedded PostgreSQL)`;
  const url = new URL(env.DATABASE_URL);
  return `PostgreSQL at ${url.host}${url.pathname}`;
}

/** The README's setup: no DATABASE_URL and DATA_DIR at ./.data of the current folder. */
export function isDefaultDatabase(env: DatabaseEnv): boolean {
  return env.DATABASE_URL === undefined && resolve(env.DATA_DIR) === resolve(".data");
}

/**
 * What to put before `npx workspace-gateway …` so that a command reaches this database:
 * `DATA_DIR=/abs/dir ` when it is not the default, nothing otherwise.
 */
export function commandPrefix(env: DatabaseEnv): string {
  if (env.DATABASE_URL !== undefined) return "DATABASE_URL=… ";
  return isDefaultDatabase(env) ? "" : `DATA_DIR=${shellWord(resolve(env.DATA_DIR))} `;
}

/** A path as one shell word, quoted only when it needs to be. */
function shellWord(value: string): string {
  return /^[\w./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
