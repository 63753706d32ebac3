import type { ProjectRole, WorkspaceStatus } from "../generated/prisma/enums.js";
import type { HardwareTarget } from "./hardware-messages.js";
import type { HardwareProblem } from "./hardware-rules.js";

/**
 * A problem with an input field other than hardware. `field` is the camelCase name the
 * services use (`defaultBranch`); each door renders it its own way. The message does not
 * repeat the field.
 */
export interface InputIssue {
  field: string;
  message: string;
}

/** Expected failures are values: both front doors map them, REST to a status, GraphQL to a union member. */
export type ServiceError =
  | { code: "INVALID_INPUT"; message: string; issues: InputIssue[] }
  | {
      code: "INVALID_HARDWARE";
      message: string;
      target: HardwareTarget;
      problems: HardwareProblem[];
    }
  | { code: "PROJECT_NOT_FOUND"; message: string }
  | { code: "WORKSPACE_NOT_FOUND"; message: string }
  | { code: "USER_NOT_FOUND"; message: string }
  | { code: "TOKEN_NOT_FOUND"; message: string }
  | { code: "INVALID_TRANSITION"; message: string; status: WorkspaceStatus }
  | { code: "IDEMPOTENCY_KEY_REUSED"; message: string }
  | { code: "IDEMPOTENCY_IN_FLIGHT"; message: string }
  | { code: "QUOTA_EXCEEDED"; message: string; quota: number }
  | { code: "CURSOR_EXPIRED"; message: string }
  | { code: "FORBIDDEN"; message: string; requiredRole: ProjectRole }
  | { code: "LAST_ADMIN"; message: string }
  | { code: "TOKEN_SCOPE"; message: string }
  | { code: "MEMBER_NOT_FOUND"; message: string }
  | { code: "WEBHOOK_NOT_FOUND"; message: string }
  | { code: "TOO_MANY_TOKENS"; message: string; limit: number };

export type Result<T, E extends ServiceError = ServiceError> =
  | { ok: true; value: T }
  | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <E extends ServiceError>(error: E): { ok: false; error: E } => ({
  ok: false,
  error,
});

/**
 * The messages of the expected failures, once. (Hardware rule texts are rendered per door by
 * hardware-messages.ts; field-level input texts come with their rule.)
 */
export const errors = {
  invalidInput: (issues: InputIssue[]) =>
    ({ code: "INVALID_INPUT", message: "invalid input", issues }) as const,
  invalidHardware: (problems: HardwareProblem[], target: HardwareTarget) =>
    ({
      code: "INVALID_HARDWARE",
      message: "invalid hardware configuration",
      target,
      problems,
    }) as const,
  projectNotFound: () => ({ code: "PROJECT_NOT_FOUND", message: "project not found" }) as const,
  workspaceNotFound: () =>
    ({ code: "WORKSPACE_NOT_FOUND", message: "workspace not found" }) as const,
  userNotFound: () => ({ code: "USER_NOT_FOUND", message: "user not found" }) as const,
  tokenNotFound: () => ({ code: "TOKEN_NOT_FOUND", message: "token not found" }) as const,
  invalidTransition: (action: string, status: WorkspaceStatus) =>
    ({
      code: "INVALID_TRANSITION",
      message: `cannot ${action} a workspace that is ${status.replace("_", " ")}`,
      status,
    }) as const,
  idempotencyKeyReused: () =>
    ({
      code: "IDEMPOTENCY_KEY_REUSED",
      message: "Idempotency-Key was already used with a different request",
    }) as const,
  idempotencyInFlight: () =>
    ({
      code: "IDEMPOTENCY_IN_FLIGHT",
      message: "a request with this Idempotency-Key is still in progress",
    }) as const,
  quotaExceeded: (quota: number) =>
    ({
      code: "QUOTA_EXCEEDED",
      message: `workspace quota reached: at most ${quota} workspaces per user; delete one to create another`,
      quota,
    }) as const,
  /** A member whose role is too low (access-policy.ts); a non-member gets the not-found answer. */
  forbidden: (requiredRole: ProjectRole, message?: string) =>
    ({
      code: "FORBIDDEN",
      message: message ?? `this needs the ${requiredRole} role on the project`,
      requiredRole,
    }) as const,
  memberNotFound: () =>
    ({ code: "MEMBER_NOT_FOUND", message: "no such member of this project" }) as const,
  /** A token asked for a token with more power than its own. */
  forbiddenScope: (message: string) => ({ code: "TOKEN_SCOPE", message }) as const,
  tooManyTokens: (limit: number) =>
    ({
      code: "TOO_MANY_TOKENS",
      message: `at most ${limit} live tokens per user (MAX_TOKENS_PER_USER): revoke one first`,
      limit,
    }) as const,
  /** A webhook endpoint (or one of its deliveries) that is missing or not the caller's to manage. */
  webhookNotFound: (what: "webhook" | "delivery" = "webhook") =>
    ({ code: "WEBHOOK_NOT_FOUND", message: `${what} not found` }) as const,
  lastAdmin: () =>
    ({
      code: "LAST_ADMIN",
      message: "a project keeps at least one admin: make another member admin first",
    }) as const,
};

/** An event cursor older than EVENT_RETENTION_DAYS: events after it are gone (never a silent gap). */
export const cursorExpired = (retentionDays: number) =>
  ({
    code: "CURSOR_EXPIRED",
    message: `the cursor is older than the event retention (${retentionDays} days): events after it were removed; read from the start`,
  }) as const;

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
