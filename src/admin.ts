import { existsSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { join, resolve } from "node:path";
import type { Services } from "./services/index.js";
import type { Result } from "./services/result.js";

/** A failure the operator caused: shown as one line. */
export class AdminError extends Error {}

type Options = Readonly<Record<string, unknown>>;

function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  const { error } = result;
  const detail =
    "issues" in error ? `: ${error.issues.map((i) => `${i.field} ${i.message}`).join("; ")}` : "";
  throw new AdminError(`${error.message}${detail}`);
}

function optional(options: Options, name: string): string | undefined {
  const value = options[name];
  return typeof value === "string" ? value : undefined;
}

function required(options: Options, name: string): string {
  const value = optional(options, name);
  if (value === undefined) throw new AdminError(`missing option ${name}`);
  return value;
}

/** The operator's commands of the CLI (CONTRACT §1), each returning the object `--json` prints. */
export const adminCommands = {
  async seed(services: Services, options: Options) {
    const user = unwrap(await services.users.create(required(options, "email")));
    const { token } = await services.tokens.issue(user.id);
    const project = unwrap(
      await services.projects.create(user.id, {
        name: optional(options, "projectName") ?? "My project",
      }),
    );
    return {
      user: { id: user.id, email: user.email },
      token,
      project: { id: project.id, name: project.name },
    };
  },
  async "user create"(services: Services, options: Options) {
    const user = unwrap(await services.users.create(required(options, "email")));
    return { id: user.id, email: user.email };
  },
  async "token create"(services: Services, options: Options) {
    const owner = unwrap(await services.users.find(required(options, "user")));
    const issued = await services.tokens.issue(owner.id);
    return { id: issued.id, user_id: owner.id, prefix: issued.prefix, token: issued.token };
  },
  async "token revoke"(services: Services, options: Options) {
    const revoked = unwrap(await services.tokens.revoke(required(options, "token")));
    return { id: revoked.id, prefix: revoked.prefix, revoked_at: revoked.revokedAt.toISOString() };
  },
  async "project create"(services: Services, options: Options) {
    const owner = unwrap(await services.users.find(required(options, "owner")));
    const project = unwrap(
      await services.projects.create(owner.id, {
        name: required(options, "name"),
        defaultBranch: optional(options, "defaultBranch"),
      }),
    );
    return {
      id: project.id,
      name: project.name,
      owner_id: project.ownerId,
      default_branch: project.defaultBranch,
    };
  },
} satisfies Record<string, (services: Services, options: Options) => Promise<object>>;

export type AdminCommand = keyof typeof adminCommands;

/**
 * The embedded database admits one process, the server; while it runs, the CLI's operator
 * commands are sent to it over this socket (owner-only, like the data directory).
 */
export function adminSocketPath(dataDir: string): string {
  return join(resolve(dataDir), "gateway.sock");
}

export async function listenAdminSocket(dataDir: string, services: Services): Promise<Server> {
  const path = adminSocketPath(dataDir);
  // Left by a process that died; the data directory's lock says no one else owns it.
  if (existsSync(path)) rmSync(path);
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let status = 200;
    let body: unknown;
    try {
      const { command, options } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      if (!Object.hasOwn(adminCommands, command)) throw new AdminError("unknown command");
      body = await adminCommands[command as AdminCommand](services, options ?? {});
    } catch (error) {
      status = error instanceof AdminError ? 400 : 500;
      body = { error: error instanceof AdminError ? error.message : "internal error" };
    }
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((done, failed) => {
    server.once("error", failed);
    server.listen({ path, readableAll: false, writableAll: false }, done);
  });
  return server;
}

/** Runs `command` in the server that holds `dataDir`. */
export function sendAdminCommand(
  dataDir: string,
  command: AdminCommand,
  options: Options,
): Promise<object> {
  return new Promise((done, failed) => {
    const req = request(
      { socketPath: adminSocketPath(dataDir), method: "POST", path: "/" },
      async (res) => {
        const chunks: Buffer[] = [];
        for await (const chunk of res) chunks.push(chunk as Buffer);
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        if (res.statusCode === 200) done(body);
        else failed(new AdminError(body.error));
      },
    );
    req.on("error", failed);
    req.end(JSON.stringify({ command, options }));
  });
}
