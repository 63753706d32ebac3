/**
 * Where the CLI runs an operator command, and what it says about it: on DATABASE_URL; on the
 * embedded database under DATA_DIR directly, or inside the server that holds it (its socket).
 * Only `migrate` and `seed` may create an embedded database; the others refuse, naming the
 * directory, so that a command run in the wrong folder does not answer from an empty one.
 * The database code is loaded only when the command opens a database itself.
 */
import { resolve } from "node:path";
import { DataDirLockedError, dataDirOwner, hasEmbeddedDatabase } from "../db/data-dir.js";
import type { Env } from "../env.js";
import type { OperatorCommand } from "./commands.js";
import { OperatorError, type Options } from "./context.js";
import { databaseLocation, isDefaultDatabase } from "./database-label.js";

const MAY_CREATE: ReadonlySet<OperatorCommand> = new Set(["migrate", "seed"]);

export interface CommandRun {
  /** What `--json` prints. */
  value: object;
  /** A line for the text output naming the database, when it is not the README's default. */
  database: string | undefined;
}

export async function runOperatorCommand(
  env: Env,
  command: OperatorCommand,
  options: Options,
): Promise<CommandRun> {
  const named = isDefaultDatabase(env) ? undefined : `database: ${databaseLocation(env)}`;
  if (env.DATABASE_URL !== undefined) {
    return { value: await runHere(env, command, options), database: named };
  }
  const dataDir = resolve(env.DATA_DIR);
  if (dataDirOwner(dataDir) !== undefined) {
    return { value: await runInServer(dataDir, command, options), database: named };
  }
  const existed = hasEmbeddedDatabase(dataDir);
  if (!existed && !MAY_CREATE.has(command)) {
    throw new OperatorError(
      `no embedded database in ${dataDir} (DATA_DIR); run this where the server runs, or set DATA_DIR (or DATABASE_URL) to the server's`,
    );
  }
  try {
    const value = await runHere(env, command, options);
    return {
      value,
      database: existed ? named : `database: created the embedded database in ${dataDir}`,
    };
  } catch (error) {
    // A server took the directory between the look and the open.
    if (!(error instanceof DataDirLockedError)) throw error;
    return { value: await runInServer(dataDir, command, options), database: named };
  }
}

async function runHere(env: Env, command: OperatorCommand, options: Options): Promise<object> {
  const [{ openDatabase }, { createServices }, { LocalStatusBus }, { operatorCommands }] =
    await Promise.all([
      import("../db/client.js"),
      import("../services/index.js"),
      import("../services/status-bus.js"),
      import("./commands.js"),
    ]);
  const database = await openDatabase({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    migrate: command !== "migrate",
  });
  try {
    const services = createServices({
      prisma: database.prisma,
      gpuKinds: env.GPU_KINDS,
      // Nobody watches from here; the engine of a server picks changes up at its sweep.
      bus: new LocalStatusBus(),
    });
    return await operatorCommands[command]({ services, database }, options);
  } finally {
    await database.close();
  }
}

async function runInServer(
  dataDir: string,
  command: OperatorCommand,
  options: Options,
): Promise<object> {
  const { sendOperatorCommand } = await import("./socket.js");
  return sendOperatorCommand(dataDir, command, options);
}
