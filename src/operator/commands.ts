/** The operator's commands of the CLI (CONTRACT §1): run by the CLI, or by the server for it. */
import { ROLES, type Role } from "../services/access-policy.js";
import {
  type OperatorContext,
  OperatorError,
  type Options,
  optional,
  required,
  unwrap,
} from "./context.js";
import { eventListCommands } from "./event-lists.js";
import { listCommands } from "./lists.js";

export { type OperatorContext, OperatorError, type Options } from "./context.js";

/** The operator's commands of the CLI (CONTRACT §1), each returning the object `--json` prints. */
export const operatorCommands = {
  async migrate({ database }: OperatorContext) {
    return database.migrate();
  },
  async seed({ services }: OperatorContext, options: Options) {
    const email = required(options, "email");
    const user = unwrap(await services.users.create(email));
    const { token } = await services.tokens.issue(user.id);
    const project = unwrap(
      await services.projects.create(user.id, {
        name: optional(options, "projectName") ?? "My project",
      }),
      { name: "--project-name" },
    );
    return {
      user: { id: user.id, email: user.email },
      token,
      project: { id: project.id, name: project.name },
    };
  },
  async "user create"({ services }: OperatorContext, options: Options) {
    const user = unwrap(await services.users.create(required(options, "email")));
    return { id: user.id, email: user.email };
  },
  async "token create"({ services }: OperatorContext, options: Options) {
    const ref = required(options, "user");
    const owner = unwrap(await services.users.find(ref), {}, ref);
    const role = optional(options, "role");
    if (role !== undefined && !isRole(role)) {
      throw new OperatorError(
        `--role must be one of ${ROLES.join(", ")}, got ${JSON.stringify(role)}`,
      );
    }
    const days = optional(options, "expiresInDays");
    const projectId = optional(options, "project");
    // The same rules as a user's own request (a member of the project, 1 to 365 days), asked
    // as the user with no token's limits; the operator's tokens are not counted against
    // MAX_TOKENS_PER_USER.
    const created = unwrap(
      await services.tokens.create(
        owner.id,
        {
          name: optional(options, "name") ?? "cli",
          expiresInDays: days === undefined ? null : wholeNumber(days),
          projectId: projectId ?? null,
          role: role ?? null,
        },
        (id) => services.projects.memberRole(owner.id, id),
      ),
      {},
      projectId,
    );
    const { info } = created;
    return {
      id: info.id,
      user_id: owner.id,
      prefix: info.prefix,
      token: created.token,
      name: info.name,
      project_id: info.projectId,
      role: info.role,
      expires_at: info.expiresAt?.toISOString() ?? null,
    };
  },
  async "token revoke"({ services }: OperatorContext, options: Options) {
    const ref = required(options, "token");
    const revoked = unwrap(await services.tokens.revoke(ref), {}, ref);
    return { id: revoked.id, prefix: revoked.prefix, revoked_at: revoked.revokedAt.toISOString() };
  },
  async "project create"({ services }: OperatorContext, options: Options) {
    const ref = required(options, "owner");
    const owner = unwrap(await services.users.find(ref), {}, ref);
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
  ...listCommands,
  ...eventListCommands,
} satisfies Record<string, (context: OperatorContext, options: Options) => Promise<object>>;

export type OperatorCommand = keyof typeof operatorCommands;

export function isOperatorCommand(name: unknown): name is OperatorCommand {
  return typeof name === "string" && Object.hasOwn(operatorCommands, name);
}

function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** "30" → 30; anything else (NaN, "1.5") is left for the service's rule to refuse by name. */
function wholeNumber(text: string): number {
  return /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
}
