/**
 * The rules of workspace policies, once: the bounds of auto-stop, max run time and auto-delete,
 * the label syntax, the label filter syntax, and when a workspace is due to stop or be deleted.
 * Both doors check their input here and word the problems with the field names of their dialect
 * (REST snake_case, GraphQL camelCase); the lifecycle sweep and every status write compute the
 * due times here.
 */
import type { StopReason, Workspace } from "../generated/prisma/client.js";
import type { InputIssue } from "./result.js";

/** Idle minutes before an automatic stop; 0 = never. */
export const AUTO_STOP_MINUTES_MAX = 10_080;
/** Minutes running before a stop however busy; 0 = no limit. */
export const MAX_RUN_MINUTES_MAX = 43_200;
/** Minutes stopped before a delete; 0 = at once, null = never. */
export const AUTO_DELETE_MINUTES_MAX = 43_200;
/** Labels on one workspace. */
export const LABELS_MAX = 32;
/** A label's name (the key after its optional prefix) and a label's value. */
export const LABEL_NAME_MAX = 63;
/** A key's optional `prefix/`: a DNS subdomain. */
export const LABEL_PREFIX_MAX = 253;

const NAME = /^[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export const POLICY_BOUNDS = {
  autoStopMinutes: AUTO_STOP_MINUTES_MAX,
  maxRunMinutes: MAX_RUN_MINUTES_MAX,
  autoDeleteMinutes: AUTO_DELETE_MINUTES_MAX,
} as const;
export type PolicyField = keyof typeof POLICY_BOUNDS;

/** What the doors describe (GraphQL descriptions, OpenAPI), from the same constants. */
export const POLICY_RULES = {
  autoStopMinutes: `a whole number from 0 to ${AUTO_STOP_MINUTES_MAX}; 0: never stop for idleness`,
  maxRunMinutes: `a whole number from 0 to ${MAX_RUN_MINUTES_MAX}; 0: no limit`,
  autoDeleteMinutes: `a whole number from 0 to ${AUTO_DELETE_MINUTES_MAX}; 0: as soon as it is stopped`,
  labels: `at most ${LABELS_MAX}; keys: an optional DNS-subdomain prefix and "/", then a name of 1 to ${LABEL_NAME_MAX} letters, digits, "-", "_", "." starting and ending with a letter or digit; values: 0 to ${LABEL_NAME_MAX} of the same characters`,
} as const;

export type Labels = Record<string, string>;

/** The policy fields of a create or an update, as the service takes them (camelCase). */
export interface PolicyRequest {
  autoStopMinutes?: number | null | undefined;
  maxRunMinutes?: number | null | undefined;
  autoDeleteMinutes?: number | null | undefined;
  keepActive?: boolean | null | undefined;
}

/** "must be a whole number from 0 to 10080 (got 10081)": the door prepends the field's name. */
export function boundProblem(field: PolicyField, value: unknown): InputIssue | undefined {
  const max = POLICY_BOUNDS[field];
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= max) return;
  return {
    field,
    message: `must be a whole number from 0 to ${max} (got ${JSON.stringify(value)})`,
  };
}

/** Bounds of the given fields, and keepActive against autoStopMinutes when both are given. */
export function policyProblems(request: PolicyRequest): InputIssue[] {
  const issues: InputIssue[] = [];
  for (const field of Object.keys(POLICY_BOUNDS) as PolicyField[]) {
    const value = request[field];
    if (value === undefined || value === null) continue;
    const problem = boundProblem(field, value);
    if (problem) issues.push(problem);
  }
  const { keepActive, autoStopMinutes } = request;
  if (typeof keepActive === "boolean" && typeof autoStopMinutes === "number") {
    if (keepActive !== (autoStopMinutes === 0)) {
      issues.push({
        field: "keepActive",
        message: `${keepActive} disagrees with the auto-stop minutes given (${autoStopMinutes}): keep-active true means 0 (never stop for idleness), false means more than 0`,
      });
    }
  }
  return issues;
}

/** Why a label key is not one; undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf("/");
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > LABEL_PREFIX_MAX || !PREFIX.test(prefix))) {
    return `label key ${JSON.stringify(key)}: the prefix before "/" must be a DNS subdomain of at most ${LABEL_PREFIX_MAX} characters (lowercase letters, digits, "-", ".")`;
  }
  if (name.length < 1 || name.length > LABEL_NAME_MAX || !NAME.test(name)) {
    return `label key ${JSON.stringify(key)}: the name must be 1 to ${LABEL_NAME_MAX} letters, digits, "-", "_", "." starting and ending with a letter or digit`;
  }
  return undefined;
}

/** Why a label value is not one; undefined when it is. */
export function labelValueProblem(key: string, value: string): string | undefined {
  if (value === "") return undefined;
  if (value.length <= LABEL_NAME_MAX && NAME.test(value)) return undefined;
  return `label ${JSON.stringify(key)}: the value ${JSON.stringify(value)} must be 0 to ${LABEL_NAME_MAX} letters, digits, "-", "_", "." starting and ending with a letter or digit`;
}

/** Every problem of a workspace's labels as a whole (syntax of each, then the count). */
export function labelProblems(labels: Labels): InputIssue[] {
  const issues: InputIssue[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(key, value);
    if (problem) issues.push({ field: "labels", message: problem });
  }
  const count = Object.keys(labels).length;
  if (count > LABELS_MAX) {
    issues.push({ field: "labels", message: `at most ${LABELS_MAX} labels (got ${count})` });
  }
  return issues;
}

/**
 * Labels as stored: `[{"key": k, "value": v}]` by key. An array of pairs, not an object, because
 * Prisma's one containment filter on JSON (array_contains: `labels @> $1`, which the GIN index
 * serves) requires an array.
 */
export function storedLabels(labels: Labels): { key: string; value: string }[] {
  return labelList(labels);
}

/** A workspace's labels as key → value (from the stored pairs). */
export function labelsOf(workspace: Pick<Workspace, "labels">): Labels {
  const labels: Labels = {};
  if (!Array.isArray(workspace.labels)) return labels;
  for (const pair of workspace.labels as { key?: unknown; value?: unknown }[]) {
    if (typeof pair?.key === "string" && typeof pair.value === "string") {
      labels[pair.key] = pair.value;
    }
  }
  return labels;
}

/** Labels in a stable order (by key), as lists show them. */
export function labelList(labels: Labels): { key: string; value: string }[] {
  return Object.keys(labels)
    .sort()
    .map((key) => ({ key, value: labels[key] as string }));
}

/**
 * A list filter: any of the statuses, all of the labels. Labels are pairs, not a map: `team=a`
 * and `team=b` together match nothing (all of), at both doors alike.
 */
export interface WorkspaceFilter {
  status?: readonly Workspace["status"][] | undefined;
  labels?: readonly { key: string; value: string }[] | undefined;
}

/** `team=ml` → ["team", "ml"]; a problem message when it is not `key=value` with a valid key. */
export function parseLabelSelector(text: string): [string, string] | string {
  const equals = text.indexOf("=");
  if (equals === -1) return `label must be key=value (got ${JSON.stringify(text)})`;
  const key = text.slice(0, equals);
  const value = text.slice(equals + 1);
  return labelKeyProblem(key) ?? labelValueProblem(key, value) ?? [key, value];
}

/** The two settings that turn policy minutes into time. */
export interface PolicySettings {
  /** IDLE_TIMEOUT_MINUTES: the auto-stop of workspaces that have none of their own. */
  idleTimeoutMinutes: number;
  /** POLICY_MINUTE_MS: how long a policy minute lasts (60000; tests shorten it). */
  minuteMs: number;
}

export const DEFAULT_POLICY_SETTINGS: PolicySettings = { idleTimeoutMinutes: 10, minuteMs: 60_000 };

/** The columns the due times derive from. */
export type PolicyRow = Pick<
  Workspace,
  | "status"
  | "desiredState"
  | "autoStopMinutes"
  | "maxRunMinutes"
  | "autoDeleteMinutes"
  | "lastActivityAt"
  | "startedAt"
  | "stoppedAt"
>;

export const POLICY_ROW_FIELDS = [
  "status",
  "desiredState",
  "autoStopMinutes",
  "maxRunMinutes",
  "autoDeleteMinutes",
  "lastActivityAt",
  "startedAt",
  "stoppedAt",
] as const satisfies readonly (keyof PolicyRow)[];

/** The reasons of the stops the sweep makes. */
export type AutomaticStopReason = Exclude<StopReason, "user">;

export interface DueTimes {
  autoStopAt: Date | null;
  autoDeleteAt: Date | null;
}

/** When workspaces are due to stop and to be deleted, under this deployment's settings. */
export class WorkspacePolicy {
  constructor(readonly settings: PolicySettings = DEFAULT_POLICY_SETTINGS) {}

  /** The auto-stop in force: the workspace's own, else IDLE_TIMEOUT_MINUTES. */
  autoStopMinutes(workspace: Pick<Workspace, "autoStopMinutes">): number {
    return workspace.autoStopMinutes ?? this.settings.idleTimeoutMinutes;
  }

  private after(from: Date, minutes: number): Date {
    return new Date(from.getTime() + minutes * this.settings.minuteMs);
  }

  /** The idle stop's and the max run time's due times (null when that one does not apply). */
  stopTimes(workspace: PolicyRow): { idle: Date | null; maxRun: Date | null } {
    if (workspace.status !== "running" || workspace.desiredState !== "running") {
      return { idle: null, maxRun: null };
    }
    const idleMinutes = this.autoStopMinutes(workspace);
    return {
      idle: idleMinutes > 0 ? this.after(workspace.lastActivityAt, idleMinutes) : null,
      maxRun:
        workspace.maxRunMinutes > 0 && workspace.startedAt
          ? this.after(workspace.startedAt, workspace.maxRunMinutes)
          : null,
    };
  }

  /** auto_stop_at (the earlier of idle and max run) and auto_delete_at. */
  dueTimes(workspace: PolicyRow): DueTimes {
    const { idle, maxRun } = this.stopTimes(workspace);
    const autoStopAt =
      idle && maxRun ? new Date(Math.min(idle.getTime(), maxRun.getTime())) : (idle ?? maxRun);
    const autoDeleteAt =
      workspace.status === "stopped" &&
      workspace.desiredState !== "deleted" &&
      workspace.autoDeleteMinutes !== null &&
      workspace.stoppedAt
        ? this.after(workspace.stoppedAt, workspace.autoDeleteMinutes)
        : null;
    return { autoStopAt, autoDeleteAt };
  }

  /** Why the workspace is due to stop at `now` (max run time first), or null when it is not. */
  stopDue(workspace: PolicyRow, now = new Date()): AutomaticStopReason | null {
    const { idle, maxRun } = this.stopTimes(workspace);
    if (maxRun && maxRun <= now) return "max_run";
    if (idle && idle <= now) return "idle";
    return null;
  }
}

/** A row with `data` applied, for the fields the due times derive from (plain values only). */
export function withPolicyData<Row extends PolicyRow>(row: Row, data: object): Row {
  const next = { ...row };
  for (const field of POLICY_ROW_FIELDS) {
    if (field in data) {
      const value = (data as Record<string, unknown>)[field];
      if (value === null || typeof value !== "object" || value instanceof Date) {
        (next as Record<string, unknown>)[field] = value;
      }
    }
  }
  return next;
}
