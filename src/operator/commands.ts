/** The operator's commands of the CLI (CONTRACT §1): run by the CLI, or by the server for it. */
import type { Services } from "../services/index.js";
import type { Result } from "../services/result.js";

/** A failure the operator caused: shown as one line. */
export class OperatorError extends Error {}

export type Options = Readonly<Record<string, unknown>>;

function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  const { error } = result;
  const detail =
    "issues" in error ? `: ${error.issues.map((i) => `${i.field} ${i.message}`).join("; ")}` : "";
  throw new OperatorError(`${error.message}${detail}`);
}

function optional(options: Options, name: string): string | undefined {
  const value = options[name];
  return typeof value === "string" ? value : undefined;
}

function required(options: Options, name: string): string {
  const value = optional(options, name);
  if (value === undefined) throw new OperatorError(`missing option ${name}`);
  return value;
}

/** The operator's commands of the CLI (CONTRACT §1), each returning the object `--json` prints. */
export const operatorCommands = {
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

export type OperatorCommand = keyof typeof operatorCommands;
