import { Command, CommanderError } from "commander";
import { openDatabase } from "./db/client.js";
import { type Env, parseEnv } from "./env.js";
import { serve } from "./main.js";
import { createServices, type Services } from "./services/index.js";
import type { Result } from "./services/result.js";

/** A failure the user caused: printed as one line, exit code 1. */
class CliError extends Error {}

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
  .action(async (options: { json?: boolean }) => {
    const env = parseEnv();
    const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
    let applied: string[];
    try {
      ({ applied } = await database.migrate());
    } finally {
      await database.close();
    }
    print(options, { applied }, () =>
      applied.length === 0 ? "no pending migrations" : `applied ${applied.join(", ")}`,
    );
  });

program
  .command("seed")
  .description("create a user (if missing), a new API token and a new project")
  .requiredOption("--email <email>", "the user's email")
  .option("--project-name <name>", "name of the new project", "My project")
  .option("--json", "print JSON")
  .action(async (options: { email: string; projectName: string; json?: boolean }) => {
    await withServices(async (services) => {
      const user = unwrap(await services.users.create(options.email));
      const { token } = await services.tokens.issue(user.id);
      const project = unwrap(
        await services.projects.create(user.id, { name: options.projectName }),
      );
      print(
        options,
        {
          user: { id: user.id, email: user.email },
          token,
          project: { id: project.id, name: project.name },
        },
        () =>
          [
            `user     ${user.id}  ${user.email}`,
            `project  ${project.id}  ${project.name}`,
            `token    ${token}   (shown once; keep it)`,
          ].join("\n"),
      );
    });
  });

const user = program.command("user").description("manage users");
user
  .command("create")
  .description("create a user (or return the existing one)")
  .requiredOption("--email <email>", "the user's email")
  .option("--json", "print JSON")
  .action(async (options: { email: string; json?: boolean }) => {
    await withServices(async (services) => {
      const created = unwrap(await services.users.create(options.email));
      print(
        options,
        { id: created.id, email: created.email },
        () => `user ${created.id} ${created.email}`,
      );
    });
  });

const token = program.command("token").description("manage API tokens");
token
  .command("create")
  .description("issue a new API token for a user")
  .requiredOption("--user <id|email>", "the user")
  .option("--json", "print JSON")
  .action(async (options: { user: string; json?: boolean }) => {
    await withServices(async (services) => {
      const owner = unwrap(await services.users.find(options.user));
      const issued = await services.tokens.issue(owner.id);
      print(
        options,
        { id: issued.id, user_id: owner.id, prefix: issued.prefix, token: issued.token },
        () => `${issued.token}   (shown once; keep it)`,
      );
    });
  });
token
  .command("revoke")
  .description("revoke a token, given the token itself, its id or its prefix")
  .argument("<token>", "the token, its id or its visible prefix")
  .option("--json", "print JSON")
  .action(async (ref: string, options: { json?: boolean }) => {
    await withServices(async (services) => {
      const revoked = unwrap(await services.tokens.revoke(ref));
      print(
        options,
        { id: revoked.id, prefix: revoked.prefix, revoked_at: revoked.revokedAt.toISOString() },
        () => `revoked ${revoked.prefix}… (${revoked.id})`,
      );
    });
  });

const project = program.command("project").description("manage projects");
project
  .command("create")
  .description("create a project")
  .requiredOption("--owner <id|email>", "the owning user")
  .requiredOption("--name <name>", "the project's name")
  .option("--default-branch <branch>", "git branch new workspaces check out", "main")
  .option("--json", "print JSON")
  .action(
    async (options: { owner: string; name: string; defaultBranch: string; json?: boolean }) => {
      await withServices(async (services) => {
        const owner = unwrap(await services.users.find(options.owner));
        const created = unwrap(
          await services.projects.create(owner.id, {
            name: options.name,
            defaultBranch: options.defaultBranch,
          }),
        );
        print(
          options,
          {
            id: created.id,
            name: created.name,
            owner_id: created.ownerId,
            default_branch: created.defaultBranch,
          },
          () => `project ${created.id} ${created.name}`,
        );
      });
    },
  );

async function withServices(run: (services: Services) => Promise<void>): Promise<void> {
  const env: Env = parseEnv();
  const database = await openDatabase({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    migrate: !env.DATABASE_URL,
  });
  try {
    const services = createServices({
      prisma: database.prisma,
      gpuKinds: env.GPU_KINDS,
      observer: { workspaceChanged() {}, workspaceDeleted() {} },
    });
    await run(services);
  } finally {
    await database.close();
  }
}

function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  const error = result.error;
  const detail =
    "issues" in error ? `: ${error.issues.map((i) => `${i.field} ${i.message}`).join("; ")}` : "";
  throw new CliError(`${error.message}${detail}`);
}

function print(options: { json?: boolean }, value: unknown, text: () => string) {
  process.stdout.write(options.json ? `${JSON.stringify(value)}\n` : `${text()}\n`);
}

const isServe = process.argv[2] === "serve";
try {
  await program.parseAsync(process.argv);
  if (!isServe) process.exit(0);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  // One line, never a stack trace.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`workspace-gateway: ${message.trim().split("\n")[0]}\n`);
  process.exit(1);
}
