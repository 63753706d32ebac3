/**
 * The embedded database's directory, without opening it: whether a database is there, and which
 * process holds it. Kept apart from client.ts so the CLI can ask without loading PGlite.
 */
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

export class DataDirLockedError extends Error {}

/** True when `dataDir` holds an initialised embedded database (PostgreSQL's own marker file). */
export function hasEmbeddedDatabase(dataDir: string): boolean {
  return existsSync(join(dataDir, "pgdata", "PG_VERSION"));
}

/** The pid of the live process that holds `dataDir`, if one does. */
export function dataDirOwner(dataDir: string): number | undefined {
  let owner: number;
  try {
    owner = Number.parseInt(readFileSync(join(dataDir, "gateway.lock"), "utf8"), 10);
  } catch {
    return undefined;
  }
  return Number.isInteger(owner) && isAlive(owner) ? owner : undefined;
}

/**
 * PGlite has no lock between processes, and two on one directory corrupt it. A lock file holds
 * the owner's pid; a lock left by a dead process (kill -9) is taken over.
 * @returns the release function
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, "gateway.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = dataDirOwner(dataDir);
      if (owner !== undefined) {
        throw new DataDirLockedError(
          `DATA_DIR ${dataDir} is in use by another workspace-gateway process (pid ${owner}); stop it or set another DATA_DIR`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new DataDirLockedError(`DATA_DIR ${dataDir} is locked (${path})`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
