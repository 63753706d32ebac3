import type { WorkspaceStatus } from "../generated/prisma/enums.js";

/**
 * The lifecycle (CONTRACT §5): every status change the system may make, and nothing else.
 * `error` and `stop_failed` are ends of a failed step; a user action moves on from them.
 */
export const TRANSITIONS: Readonly<Record<WorkspaceStatus, readonly WorkspaceStatus[]>> = {
  creating: ["starting", "error"],
  starting: ["running", "error"],
  running: ["stopping", "error"],
  stopping: ["stopped", "stop_failed"],
  stopped: ["starting"],
  error: ["starting"],
  stop_failed: ["stopping"],
};

export function canTransition(from: WorkspaceStatus, to: WorkspaceStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The statuses a step is still in progress in: the engine owes them a next step. */
export const TRANSITIONAL = [
  "creating",
  "starting",
  "stopping",
] as const satisfies readonly WorkspaceStatus[];

export type TransitionalStatus = (typeof TRANSITIONAL)[number];

export function isTransitional(status: WorkspaceStatus): status is TransitionalStatus {
  return (TRANSITIONAL as readonly WorkspaceStatus[]).includes(status);
}

/** Where the engine's step for each in-progress status leads: on success, and on failure. */
export const STEP_OUTCOMES = {
  creating: { done: "starting", failed: "error" },
  starting: { done: "running", failed: "error" },
  stopping: { done: "stopped", failed: "stop_failed" },
} as const satisfies Record<TransitionalStatus, { done: WorkspaceStatus; failed: WorkspaceStatus }>;

/** What a user's start/stop asks of the state machine: from which statuses, into which. */
export const USER_ACTIONS = {
  start: { from: ["stopped", "error"], to: "starting" },
  stop: { from: ["running", "stop_failed"], to: "stopping" },
} as const satisfies Record<string, { from: readonly WorkspaceStatus[]; to: WorkspaceStatus }>;

export type UserAction = keyof typeof USER_ACTIONS;
