/** The operator's commands of the CLI (CONTRACT §1): run by the CLI, or by the server for it. */
import { type OperatorContext, type Options, optional, required, unwrap } from "./context.js";
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
    const issued = await services.tokens.issue(owner.id);
    return { id: issued.id, user_id: owner.id, prefix: issued.prefix, token: issued.token };
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
