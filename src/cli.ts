// Every module beyond commander is imported by the command that needs it: `--version` and
// `--help` load nothing else, a list loads no HTTP server, a command sent to a running server
// no database driver.
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import type { OperatorCommand } from "./operator/commands.js";
import { table } from "./operator/table.js";

type Options = { json?: boolean } & Record<string, unknown>;
const { version } = JSON.parse(
  readFileSync(new URL("../package.json", import.meta.url), "utf8"),
) as { version: string };
// biome-ignore lint/suspicious/noExplicitAny: each command formats its own printed object
type Text = (value: any) => string;

const program = new Command("workspace-gateway")
  .description("GraphQL gateway and REST shim for cloud development workspaces")
  .version(version, "-V, --version", "print the version")
  .showSuggestionAfterError()
  .exitOverride()
  // Usage errors are printed once, in our words, by the handler at the bottom.
  .configureOutput({ outputError: () => {} });

program
  .command("serve")
  .description("run the gateway (applies pending migrations first)")
  // Loaded on demand: the one-shot commands need none of the HTTP stack.
  .action(async () => {
    // A configuration error is told before the HTTP stack is loaded.
    const { parseEnv } = await import("./env.js");
    const env = parseEnv();
    const { serve } = await import("./serve.js");
    await serve(env);
  });

program
  .command("migrate")
  .description("apply pending migrations to DATABASE_URL or the embedded database")
  .option("--json", "print JSON")
  .action(
    operator("migrate", (v) =>
      v.applied.length === 0 ? "no pending migrations" : `applied ${v.applied.join(", ")}`,
    ),
  );

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

const user = program.command("user").description("manage users");
user
  .command("create")
  .description("create a user (or return the existing one)")
  .requiredOption("--email <email>", "the user's email")
  .option("--json", "print JSON")
  .action(operator("user create", (v) => `user ${v.id} ${v.email}`));
user
  .command("list")
  .description("list users, newest first")
  .option("--json", "print JSON")
  .action(
    operator("user list", (v) =>
      table(v.users, ["id", "email", "created_at", "projects", "tokens"], "no users"),
    ),
  );

const token = program.command("token").description("manage API tokens");
token
  .command("create")
  .description(
    "issue a new API token for a user, optionally limited to a project, a role and a time",
  )
  .requiredOption("--user <id|email>", "the user")
  .option("--project <id>", "only this project (the user must be a member); others read as missing")
  .option("--role <role>", "at most this role: viewer, developer or admin")
  .option("--expires-in-days <n>", "refused after n days (1 to 365); default never")
  .option("--name <name>", "a label for it (1 to 100 characters)", "cli")
  .option("--json", "print JSON")
  .action(
    operator("token create", (v) =>
      [
        `token    ${v.token}   (shown once; keep it)`,
        `id       ${v.id}`,
        `prefix   ${v.prefix}`,
        `name     ${v.name}`,
        v.project_id && `project  ${v.project_id}`,
        v.role && `role     ${v.role}`,
        v.expires_at && `expires  ${v.expires_at}`,
      ]
        .filter(Boolean)
        .join("\n"),
    ),
  );
token
  .command("list")
  .description(
    "list a user's tokens (name, project, role, expiry and dates; never the token itself)",
  )
  .requiredOption("--user <id|email>", "the user")
  .option("--json", "print JSON")
  .action(
    operator("token list", (v) =>
      table(
        v.tokens,
        [
          "id",
          "name",
          "prefix",
          "project_id",
          "role",
          "created_at",
          "last_used_at",
          "expires_at",
          "revoked_at",
        ],
        "no tokens for this user",
      ),
    ),
  );
token
  .command("revoke")
  .description("revoke a token, given the token itself, its id or its prefix")
  .argument("<token>", "the token, its id or its visible prefix")
  .option("--json", "print JSON")
  .action((ref: string, options: Options) =>
    operator("token revoke", (v) => `revoked ${v.prefix}… (${v.id})`)({ ...options, token: ref }),
  );

const project = program.command("project").description("manage projects");
project
  .command("list")
  .description("list projects, newest first")
  .option("--owner <id|email>", "only this user's projects")
  .option("--json", "print JSON")
  .action(
    operator("project list", (v) =>
      table(v.projects, ["id", "name", "owner_email", "created_at", "workspaces"], "no projects"),
    ),
  );
project
  .command("create")
  .description("create a project")
  .requiredOption("--owner <id|email>", "the owning user")
  .requiredOption("--name <name>", "the project's name")
  .option("--default-branch <branch>", "git branch new workspaces check out", "main")
  .option("--json", "print JSON")
  .action(operator("project create", (v) => `project ${v.id} ${v.name}`));

const workspace = program.command("workspace").description("inspect workspaces");
workspace
  .command("list")
  .description("list workspaces, newest first")
  .option("--project <id>", "only this project's workspaces")
  .option("--status <status>", "only workspaces in this status (e.g. running)")
  .option(
    "--label <key=value>",
    "only workspaces with this label (repeat for all of several)",
    (value: string, previous: string[] = []) => [...previous, value],
  )
  .option("--json", "print JSON")
  .action(
    operator("workspace list", (v) =>
      table(
        v.workspaces,
        ["id", "project_id", "status", "desired_state", "created_at", "error_message"],
        "no workspaces",
      ),
    ),
  );

workspace
  .command("history")
  .description("a workspace's events (who and why of every change), oldest first")
  .argument("<id>", "the workspace's id")
  .option("--json", "print JSON")
  .action((id: string, options: Options) =>
    operator("workspace history", (v) =>
      table(
        v.events.map((e: Record<string, unknown> & { actor: { type: string } }) => ({
          ...e,
          actor: e.actor.type,
          status: e.to_status ?? "",
        })),
        ["id", "at", "type", "status", "reason", "actor"],
        "no events",
      ),
    )({ ...options, id }),
  );

program
  .command("webhook")
  .description("inspect webhooks")
  .command("list")
  .description("a project's webhook endpoints (never their secrets)")
  .requiredOption("--project <id>", "the project")
  .option("--json", "print JSON")
  .action(
    operator("webhook list", (v) =>
      table(
        v.webhooks,
        ["id", "url", "disabled_at", "failing_since", "pending_deliveries"],
        "no webhooks",
      ),
    ),
  );

/**
 * An operator command: run against the database directly, or, when a running server holds
 * the embedded database, inside that server (src/operator/run-command.ts).
 */
function operator(command: OperatorCommand, text: Text) {
  return async (options: Options) => {
    const [{ parseEnv }, { runOperatorCommand }] = await Promise.all([
      import("./env.js"),
      import("./operator/run-command.js"),
    ]);
    const run = await runOperatorCommand(parseEnv(), command, options);
    const said = options.json
      ? JSON.stringify(run.value)
      : [text(run.value), run.database].filter(Boolean).join("\n");
    process.stdout.write(`${said}\n`);
  };
}

try {
  await program.parseAsync(process.argv);
  // One-shot commands exit once stdout is flushed (database drivers may keep timers alive).
  if (process.argv[2] !== "serve") process.stdout.write("", () => process.exit(0));
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here too, with exit code 0 and their text already printed.
    // A group without its subcommand ("user") has printed its help instead (exit code 1).
    const printed = error.exitCode === 0 || error.code === "commander.help";
    if (!printed) process.stderr.write(`${usageError(error)}\n`);
    process.exit(error.exitCode);
  }
  // One line, never a stack trace. Prisma's messages end with the line that says what happened.
  const lines = (error instanceof Error ? error.message : String(error))
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  process.stderr.write(`workspace-gateway: ${lines.at(-1) ?? "failed"}\n`);
  process.exit(1);
}

/** A usage error in one line that says where to look: commander's text without its "error:". */
function usageError(error: CommanderError): string {
  const said = error.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ");
  const args = process.argv.slice(2).filter((arg) => !arg.startsWith("-"));
  // The command whose help lists what was mistyped (the parent of an unknown subcommand).
  const known = error.code === "commander.unknownCommand" ? args.slice(0, -1) : args;
  const scope = known.length === 0 ? "" : ` ${known.slice(0, 2).join(" ")}`;
  return `workspace-gateway: ${said}; see workspace-gateway${scope} --help`;
}
