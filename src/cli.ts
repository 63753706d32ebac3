import { Command, CommanderError } from "commander";
import { DataDirLockedError, openDatabase } from "./db/client.js";
import { parseEnv } from "./env.js";
import { type OperatorCommand, operatorCommands } from "./operator/commands.js";
import { sendOperatorCommand } from "./operator/socket.js";
import { serve } from "./serve.js";
import { createServices } from "./services/index.js";
import { LocalStatusBus } from "./services/status-bus.js";

type Options = { json?: boolean } & Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: each command formats its own printed object
type Text = (value: any) => string;

const program = new Command("workspace-gateway")
  .description("GraphQL gateway and REST shim for cloud development workspaces")
  .showSuggestionAfterError()
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(`${text.trim().split("\n")[0]}\n`) });

program
  .command("serve")
  .description("run the gateway (applies pending migrations first)")
  .action(async () => serve(parseEnv()));

program
  .command("migrate")
  .description("apply pending migrations to DATABASE_URL or the embedded database")
  .option("--json", "print JSON")
  .action(async (options: Options) => {
    const env = parseEnv();
    const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
    try {
      const { applied } = await database.migrate();
      print(options, { applied }, () =>
        applied.length === 0 ? "no pending migrations" : `applied ${applied.join(", ")}`,
      );
    } finally {
      await database.close();
    }
  });

program
  .command("seed")
  .description("create a user (if missing), a new API token and a new project")
  .requiredOption("--email <email>", "the user's email")
  .option("--project-name <name>", "name of the new project", "My project")
  .option("--json", "print JSON")
  .action(
    operator("seed", (v) =>
      [
        `user     ${v.user.id}  ${v.user.email}`,
        `project  ${v.project.id}  ${v.project.name}`,
        `token    ${v.token}   (shown once; keep it)`,
      ].join("\n"),
    ),
  );

program
  .command("user")
  .description("manage users")
  .command("create")
  .description("create a user (or return the existing one)")
  .requiredOption("--email <email>", "the user's email")
  .option("--json", "print JSON")
  .action(operator("user create", (v) => `user ${v.id} ${v.email}`));

const token = program.command("token").description("manage API tokens");
token
  .command("create")
  .description("issue a new API token for a user")
  .requiredOption("--user <id|email>", "the user")
  .option("--json", "print JSON")
  .action(operator("token create", (v) => `${v.token}   (shown once; keep it)`));
token
  .command("revoke")
  .description("revoke a token, given the token itself, its id or its prefix")
  .argument("<token>", "the token, its id or its visible prefix")
  .option("--json", "print JSON")
  .action((ref: string, options: Options) =>
    operator("token revoke", (v) => `revoked ${v.prefix}… (${v.id})`)({ ...options, token: ref }),
  );

program
  .command("project")
  .description("manage projects")
  .command("create")
  .description("create a project")
  .requiredOption("--owner <id|email>", "the owning user")
  .requiredOption("--name <name>", "the project's name")
  .option("--default-branch <branch>", "git branch new workspaces check out", "main")
  .option("--json", "print JSON")
  .action(operator("project create", (v) => `project ${v.id} ${v.name}`));

/**
 * An operator command: run against the database directly, or, when a running server holds
 * the embedded database, inside that server.
 */
function operator(command: OperatorCommand, text: Text) {
  return async (options: Options) => {
    const env = parseEnv();
    let value: object;
    try {
      const database = await openDatabase({
        databaseUrl: env.DATABASE_URL,
        dataDir: env.DATA_DIR,
        migrate: true,
      });
      try {
        const services = createServices({
          prisma: database.prisma,
          gpuKinds: env.GPU_KINDS,
          // Nobody watches from here; the engine of a server picks changes up at its sweep.
          bus: new LocalStatusBus(),
        });
        value = await operatorCommands[command](services, options);
      } finally {
        await database.close();
      }
    } catch (error) {
      if (!(error instanceof DataDirLockedError)) throw error;
      value = await sendOperatorCommand(env.DATA_DIR, command, options);
    }
    print(options, value, () => text(value));
  };
}

function print(options: Options, value: unknown, text: () => string) {
  process.stdout.write(options.json ? `${JSON.stringify(value)}\n` : `${text()}\n`);
}

try {
  await program.parseAsync(process.argv);
  // One-shot commands exit once stdout is flushed (database drivers may keep timers alive).
  if (process.argv[2] !== "serve") process.stdout.write("", () => process.exit(0));
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  // One line, never a stack trace. Prisma's messages end with the line that says what happened.
  const lines = (error instanceof Error ? error.message : String(error))
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  process.stderr.write(`workspace-gateway: ${lines.at(-1) ?? "failed"}\n`);
  process.exit(1);
}
