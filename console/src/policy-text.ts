import type {
  StopReason,
  ConsoleWorkspaceFieldsFragment as Workspace,
  ConsoleWorkspaceEventFragment as WorkspaceEvent,
  WorkspaceEventReason,
} from "../generated/graphql.js";

export type { WorkspaceEvent };

const MINUTE_MS = 60_000;

const STOP_REASON: Record<StopReason, string> = {
  IDLE: "idle",
  MAX_RUN: "max run time",
  USER: "by a user",
};

/** "stopped: idle": why a stopping or stopped workspace is not running; empty when unknown. */
export function stopReasonText({ status, stopReason }: Workspace): string {
  if (!stopReason || !(status === "STOPPING" || status === "STOPPED")) return "";
  return `${status === "STOPPING" ? "stopping" : "stopped"}: ${STOP_REASON[stopReason]}`;
}

/**
 * Which policy makes autoStopAt: the idle stop when it lands on lastActivityAt + autoStopMinutes,
 * else the max run time. The server keeps only the earlier of the two, so the page works it out.
 */
function dueReason(workspace: Workspace, due: number): "idle" | "max run time" {
  if (workspace.maxRunMinutes === 0) return "idle";
  if (workspace.autoStopMinutes === 0) return "max run time";
  const idle = Date.parse(workspace.lastActivityAt) + workspace.autoStopMinutes * MINUTE_MS;
  return Math.abs(idle - due) < 1_000 ? "idle" : "max run time";
}

/** "stops in 8 min (idle)", counted from `now`; empty when no automatic stop is due. */
export function stopsInText(workspace: Workspace, now: number): string {
  if (workspace.status !== "RUNNING" || !workspace.autoStopAt) return "";
  const due = Date.parse(workspace.autoStopAt);
  const left = due - now;
  const when =
    left <= 0
      ? "stops any moment"
      : left < MINUTE_MS
        ? `stops in ${Math.ceil(left / 1_000)} s`
        : `stops in ${Math.ceil(left / MINUTE_MS)} min`;
  return `${when} (${dueReason(workspace, due)})`;
}

const EVENT_REASON: Record<WorkspaceEventReason, string> = {
  REQUESTED: "requested",
  ENGINE: "lifecycle engine",
  IDLE: "idle",
  MAX_RUN: "max run time",
  AUTO_DELETE: "auto-delete",
  PROVIDER_ERROR: "provider error",
};

/**
 * A history line without its time: "STOPPED → STARTING · by you", "RUNNING → STOPPED · idle".
 * `who` names a user id (you, a member's email); a user's request says who, the rest say why.
 */
export function eventText(event: WorkspaceEvent, who: (userId: string) => string): string {
  const what =
    event.type === "STATUS_CHANGED"
      ? `${event.fromStatus ?? "?"} → ${event.toStatus ?? "?"}`
      : event.type === "UPDATED"
        ? `updated ${event.changes.map((change) => change.field).join(", ") || "settings"}`
        : event.type.toLowerCase();
  const why =
    event.reason === "REQUESTED" && event.actor.type === "USER"
      ? `by ${event.actor.userId ? who(event.actor.userId) : "a user"}`
      : EVENT_REASON[event.reason];
  return `${what} · ${why}`;
}

/** Parses "team=ml env=prod" (spaces or commas between): every pair a workspace must have. */
export function parseLabelFilter(text: string): { key: string; value: string }[] | string {
  const pairs: { key: string; value: string }[] = [];
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const at = part.indexOf("=");
    if (at <= 0) return `"${part}" is not key=value.`;
    pairs.push({ key: part.slice(0, at), value: part.slice(at + 1) });
  }
  return pairs;
}
