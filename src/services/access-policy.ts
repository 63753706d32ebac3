/**
 * Who may do what on which project: the one authorization rule. REST routes, GraphQL fields,
 * subscriptions, waits, event streams and the lifecycle's user actions all ask it (through the
 * services); none decides for itself, as none checks hardware for itself (hardware-rules.ts).
 *
 * - A project's members have a role: viewer < developer < admin (each includes the one before).
 * - A token may be limited to one project and capped at a role; the caller's effective role is
 *   the smaller of the membership and the token's cap.
 * - A caller with no effective role on a project (not a member, or a token limited to another
 *   project) gets exactly the missing-project answer, so that ids cannot be probed; a member
 *   whose role is too low gets FORBIDDEN, and nothing changes.
 *
 * The database statements apply the membership part in SQL (a join on project_members, no extra
 * round trip); `decide` is the rule they and the services share.
 */
import type { ProjectRole } from "../generated/prisma/enums.js";
import { errors, type ServiceError } from "./result.js";

export type Role = ProjectRole;

/** Lowest first: a role may do everything the roles before it may. */
export const ROLES = ["viewer", "developer", "admin"] as const satisfies readonly Role[];

const rank = (role: Role): number => ROLES.indexOf(role);

/** The smaller of two roles (null: no limit). */
export function lowerRole(a: Role, b: Role | null | undefined): Role {
  return b == null || rank(a) <= rank(b) ? a : b;
}

export function roleAtLeast(role: Role, needed: Role): boolean {
  return rank(role) >= rank(needed);
}

/** Every action on a project and the role it needs: the table the doors and tests read. */
export const ACTION_ROLES = {
  "project.read": "viewer",
  "workspace.read": "viewer",
  "workspace.watch": "viewer",
  "members.read": "viewer",
  "workspace.create": "developer",
  "workspace.start": "developer",
  "workspace.stop": "developer",
  "workspace.delete": "developer",
  "workspace.update": "developer",
  "workspace.keepalive": "developer",
  "members.manage": "admin",
  "webhooks.manage": "admin",
  "project.rename": "admin",
  "project.delete": "admin",
  // On the account, not on a project (decideOnAccount): the token's limits alone decide.
  "project.create": "developer",
} as const satisfies Record<string, Role>;

export type Action = keyof typeof ACTION_ROLES;

/** What a token allows: null fields mean no limit. */
export interface TokenScope {
  projectId: string | null;
  role: Role | null;
}

/**
 * Who acts. A bare user id is the user with every right their memberships give (the operator's
 * tools); an authenticated principal carries its token's scope.
 */
export type Caller = string | { user: { id: string }; scope?: TokenScope | null };

export function callerUserId(caller: Caller): string {
  return typeof caller === "string" ? caller : caller.user.id;
}

export function callerScope(caller: Caller): TokenScope {
  return (typeof caller === "string" ? null : caller.scope) ?? { projectId: null, role: null };
}

/** The project a token is limited to, for SQL (`$n::uuid IS NULL OR project_id = $n`). */
export function scopeProjectId(caller: Caller): string | null {
  return callerScope(caller).projectId;
}

/**
 * The caller's effective role on `projectId`, given their membership role there (null: none):
 * null when the token is limited to another project or the user is no member.
 */
export function effectiveRole(
  caller: Caller,
  projectId: string,
  memberRole: Role | null | undefined,
): Role | null {
  if (memberRole == null) return null;
  const scope = callerScope(caller);
  if (scope.projectId !== null && scope.projectId.toLowerCase() !== projectId.toLowerCase()) {
    return null;
  }
  return lowerRole(memberRole, scope.role);
}

export type Refusal = "missing" | "forbidden";

/**
 * The rule: undefined when the caller may take `action` on the project; otherwise "missing"
 * (answer as if the project did not exist) or "forbidden" (a member without the role).
 */
export function decide(
  caller: Caller,
  action: Action,
  projectId: string,
  memberRole: Role | null | undefined,
): Refusal | undefined {
  const role = effectiveRole(caller, projectId, memberRole);
  if (role === null) return "missing";
  return roleAtLeast(role, ACTION_ROLES[action]) ? undefined : "forbidden";
}

/** The actions on the caller's account rather than on one project (no membership to read). */
export const ACCOUNT_ACTIONS = ["project.create"] as const satisfies readonly Action[];

export type AccountAction = (typeof ACCOUNT_ACTIONS)[number];

/**
 * The rule for an account action: undefined when allowed, else the FORBIDDEN error. A token
 * limited to one project acts only inside it (anything else reads as missing to it, and creating
 * is no read), and a token whose role is capped below the action's role may not.
 */
export function decideOnAccount(caller: Caller, action: AccountAction): ServiceError | undefined {
  const scope = callerScope(caller);
  const needed = ACTION_ROLES[action];
  if (scope.projectId !== null) {
    return errors.forbidden(needed, "a token limited to one project cannot do this outside it");
  }
  if (scope.role !== null && !roleAtLeast(scope.role, needed)) {
    return errors.forbidden(needed, `this needs a token with at least the ${needed} role`);
  }
  return undefined;
}

/** `decide` as a service error: `missing` is the missing project's (or workspace's) answer. */
export function refusalError(
  refusal: Refusal,
  action: Action,
  missing: () => ServiceError = errors.projectNotFound,
): ServiceError {
  return refusal === "missing" ? missing() : errors.forbidden(ACTION_ROLES[action]);
}

/** Whether a token may mint one with `wanted` scope: never one with more power than itself. */
export function scopeWithin(wanted: TokenScope, own: TokenScope): boolean {
  if (own.projectId !== null && wanted.projectId?.toLowerCase() !== own.projectId.toLowerCase()) {
    return false;
  }
  if (own.role !== null && (wanted.role === null || !roleAtLeast(own.role, wanted.role))) {
    return false;
  }
  return true;
}
