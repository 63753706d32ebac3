/**
 * The workspace event log (issue 18): pages of a project's or a workspace's events, streams that
 * replay from a cursor and go on live, and the retention sweep. The events themselves are written
 * by the database, in the statement of each change (migration 20261206120000_workspace_events).
 *
 * Why resuming never skips or repeats: a project's events are numbered under a row lock held until
 * commit, so they become visible in number order. "Everything after N" read later holds exactly
 * the events committed since, including one whose transaction began before N's. A stream is
 * therefore only ever "read after the last number sent": the replay and the live part are the same
 * query, and there is no seam where a gap or a duplicate could hide.
 */
import type { PrismaClient } from "../db/client.js";
import { WORKSPACE_COLUMNS } from "../db/create-workspace.js";
import type { Workspace } from "../generated/prisma/client.js";
import type {
  WorkspaceEventReason,
  WorkspaceEventType,
  WorkspaceStatus,
} from "../generated/prisma/enums.js";
import type { Caller } from "./access-policy.js";
import type { ProjectService } from "./projects.js";
import { cursorExpired, errors, fail, ok, type Result } from "./result.js";
import type { WatchedWorkspace, WorkspaceStatusService } from "./workspace-status.js";
import type { WorkspaceService } from "./workspaces.js";

/** The most events one page holds (and what a page without `limit` holds). */
export const EVENT_PAGE_MAX = 100;

/** EVENT_RETENTION_DAYS' default. */
export const EVENT_RETENTION_DAYS = 30;

/**
 * How often an open stream looks for events no local change woke it for (another replica's,
 * the engine's on another process). Local changes wake it at once.
 */
export const EVENT_STREAM_POLL_MS = 1000;

/** Events removed per statement by the retention sweep (it repeats until none is due). */
const SWEEP_BATCH = 5000;

export interface WorkspaceEvent {
  /** The cursor: opaque to clients; resume with "after" it. */
  id: string;
  seq: bigint;
  type: WorkspaceEventType;
  workspaceId: string;
  projectId: string;
  at: Date;
  fromStatus: WorkspaceStatus | null;
  toStatus: WorkspaceStatus | null;
  actor: { type: "user" | "system"; userId: string | null; tokenId: string | null };
  reason: WorkspaceEventReason;
  /**
   * updated: the fields that changed (REST names), each with its value before and after; `from`
   * is absent on events logged before the log kept it (migration 20261209120000).
   */
  changes: Record<string, FieldChange> | null;
}

export interface FieldChange {
  from?: unknown;
  to: unknown;
}

export interface EventPageRequest {
  /** 1 to EVENT_PAGE_MAX; default EVENT_PAGE_MAX. */
  limit?: number | undefined;
  /** An event's id: the page starts after it. */
  after?: string | undefined;
}

/** Whose events: a project's, or one workspace's (within its project's numbering). */
export type EventScope = { projectId: string; workspaceId?: string };

/**
 * `ev_` + the project (32 hex digits) + `_` + the event's number in it: unique across projects, so
 * clients that cache objects by id (Apollo, urql, Relay) never mix two projects' events.
 */
export function encodeEventCursor(projectId: string, seq: bigint): string {
  return `ev_${projectId.replaceAll("-", "")}_${seq.toString(36)}`;
}

/** The number a cursor names in `projectId`; null when it is not one of that project's. */
export function decodeEventCursor(cursor: string, projectId: string): bigint | null {
  const match = /^ev_([0-9a-f]{32})_([0-9a-z]{1,13})$/.exec(cursor);
  if (!match?.[2] || match[1] !== projectId.replaceAll("-", "").toLowerCase()) return null;
  let seq = 0n;
  for (const digit of match[2]) seq = seq * 36n + BigInt(Number.parseInt(digit, 36));
  return seq;
}

interface EventRow {
  projectId: string;
  seq: bigint;
  workspaceId: string;
  type: WorkspaceEventType;
  at: Date;
  fromStatus: WorkspaceStatus | null;
  toStatus: WorkspaceStatus | null;
  actorUserId: string | null;
  actorTokenId: string | null;
  reason: WorkspaceEventReason;
  changes: unknown;
}

export function eventOf(row: EventRow): WorkspaceEvent {
  return {
    id: encodeEventCursor(row.projectId, row.seq),
    seq: row.seq,
    type: row.type,
    workspaceId: row.workspaceId,
    projectId: row.projectId,
    at: row.at,
    fromStatus: row.fromStatus,
    toStatus: row.toStatus,
    actor: {
      type: row.actorUserId === null ? "system" : "user",
      userId: row.actorUserId,
      tokenId: row.actorTokenId,
    },
    reason: row.reason,
    changes: (row.changes as Record<string, FieldChange> | null) ?? null,
  };
}

/**
 * The event's JSON (REST's snake_case names): the objects of history pages, SSE data and webhook
 * bodies alike.
 */
export function eventJson(event: WorkspaceEvent) {
  return {
    id: event.id,
    type: `workspace.${event.type}`,
    workspace_id: event.workspaceId,
    project_id: event.projectId,
    at: event.at.toISOString(),
    ...(event.type === "status_changed"
      ? { from_status: event.fromStatus, to_status: event.toStatus }
      : {}),
    actor: { type: event.actor.type, user_id: event.actor.userId, token_id: event.actor.tokenId },
    reason: event.reason,
    ...(event.type === "updated" ? { changes: event.changes ?? {} } : {}),
  };
}

/**
 * One message of a workspace's stream (REST GET /workspaces/:id/events): an event it missed
 * (only when resuming), or the workspace with the id of the newest event it reflects.
 */
export type WorkspaceStreamItem =
  | { kind: "event"; event: WorkspaceEvent }
  | { kind: "workspace"; workspace: WatchedWorkspace; eventId: string };

/**
 * The workspace (null once its row is gone) and, read by the same statement, the number of its
 * newest event: the trigger commits each event with its change, so the pair is consistent. With
 * none kept (all swept), the project's removal mark, a cursor that is still valid and after which
 * nothing of it came.
 */
const REFLECTED = `SELECT w.*, COALESCE(e.seq, h.pruned_seq, 0) AS "eventSeq"
  FROM (SELECT $1::uuid AS id) k
  LEFT JOIN LATERAL (SELECT ${WORKSPACE_COLUMNS} FROM workspaces WHERE id = k.id) w ON true
  LEFT JOIN LATERAL (SELECT max(seq) AS seq FROM workspace_events WHERE workspace_id = k.id) e
    ON true
  LEFT JOIN workspace_event_heads h ON h.project_id = w."projectId"`;

export class EventService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly projects: ProjectService,
    private readonly workspaces: WorkspaceService,
    private readonly status: WorkspaceStatusService,
    /** EVENT_RETENTION_DAYS. */
    readonly retentionDays = EVENT_RETENTION_DAYS,
  ) {}

  /** Whose events the user may read: a project of theirs, or a workspace they can see. */
  async scopeFor(
    caller: Caller,
    target: { projectId: string } | { workspaceId: string },
  ): Promise<Result<EventScope>> {
    if ("projectId" in target) {
      const project = await this.projects.getForUser(caller, target.projectId);
      return project.ok ? ok({ projectId: project.value.id }) : project;
    }
    const workspace = await this.workspaces.get(caller, target.workspaceId);
    if (!workspace.ok) return workspace;
    return ok({ projectId: workspace.value.projectId, workspaceId: workspace.value.id });
  }

  /**
   * A page of events, oldest first, after the cursor (from the oldest kept without one). `next`
   * continues when the page is full; null when there was no more. CURSOR_EXPIRED when events
   * after the cursor were already removed by the retention sweep.
   */
  async page(
    scope: EventScope,
    request: EventPageRequest,
  ): Promise<Result<{ events: WorkspaceEvent[]; next: string | null }>> {
    const limit = request.limit ?? EVENT_PAGE_MAX;
    const issues = [];
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > EVENT_PAGE_MAX) {
      issues.push({
        field: "limit",
        message: `must be a whole number from 1 to ${EVENT_PAGE_MAX}`,
      });
    }
    const after =
      request.after === undefined ? 0n : decodeEventCursor(request.after, scope.projectId);
    if (after === null) issues.push({ field: "after", message: "must be an event's id" });
    if (issues.length > 0 || after === null) return fail(errors.invalidInput(issues));
    const expired = await this.checkCursor(scope, after);
    if (expired) return fail(expired);
    const rows = await this.read(scope, after, limit + 1);
    const events = rows.slice(0, limit).map(eventOf);
    const last = events.at(-1);
    return ok({ events, next: rows.length > limit && last ? last.id : null });
  }

  /**
   * The events after `after` (the current end of the log when undefined: live only), then each
   * new one as it commits, until `signal` aborts. Checks the cursor first (CURSOR_EXPIRED).
   */
  async open(
    scope: EventScope,
    after: string | undefined,
    signal: AbortSignal,
  ): Promise<Result<AsyncGenerator<WorkspaceEvent>>> {
    let from: bigint;
    if (after === undefined) {
      const head = await this.prisma.workspaceEventHead.findUnique({
        where: { projectId: scope.projectId },
      });
      from = head?.lastSeq ?? 0n;
    } else {
      const decoded = decodeEventCursor(after, scope.projectId);
      if (decoded === null) {
        return fail(errors.invalidInput([{ field: "after", message: "must be an event's id" }]));
      }
      const expired = await this.checkCursor(scope, decoded);
      if (expired) return fail(expired);
      from = decoded;
    }
    return ok(this.follow(scope, from, signal));
  }

  private async *follow(
    scope: EventScope,
    from: bigint,
    signal: AbortSignal,
  ): AsyncGenerator<WorkspaceEvent> {
    let cursor = from;
    let wake: (() => void) | undefined;
    let woken = false;
    const poke = () => {
      woken = true;
      wake?.();
    };
    const unsubscribe = this.status.onChange((workspace) => {
      if (workspace.projectId === scope.projectId) poke();
    });
    signal.addEventListener("abort", poke, { once: true });
    try {
      while (!signal.aborted) {
        woken = false;
        const rows = await this.read(scope, cursor, EVENT_PAGE_MAX);
        for (const row of rows) {
          if (signal.aborted) return;
          cursor = row.seq;
          yield eventOf(row);
        }
        if (rows.length === EVENT_PAGE_MAX || woken) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, EVENT_STREAM_POLL_MS);
          timer.unref();
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      unsubscribe();
      signal.removeEventListener("abort", poke);
    }
  }

  /**
   * A workspace's stream (REST GET /workspaces/:id/events): the workspace now, then every change
   * (WorkspaceService.watch), each with the id of the newest event it reflects. After a cursor
   * (Last-Event-ID), the workspace's events after it come first, replayed from the log up to the
   * event the first snapshot reflects: the snapshot and that number are one statement's read, so
   * the replay ends exactly where the snapshot starts and the live part (versions after the
   * snapshot's) begins after it: no gap, no repeat. A change is looked up as it arrives (one
   * read per message); a snapshot already overtaken by a newer commit when looked up keeps the id
   * of the one before it, an event it surely reflects (resuming there may show its change again,
   * never skip one).
   */
  async followWorkspace(
    caller: Caller,
    workspaceId: string,
    after: string | undefined,
    signal: AbortSignal,
  ): Promise<Result<AsyncGenerator<WorkspaceStreamItem>>> {
    // Ends the watch (and its membership hold) when the cursor is refused.
    const refused = new AbortController();
    const watched = await this.workspaces.watch(
      caller,
      workspaceId,
      AbortSignal.any([signal, refused.signal]),
    );
    if (!watched.ok) return watched;
    const stream = watched.value;
    const first = await stream.next();
    // Deleted between the access check and the read: the stream ends at once, as before.
    if (first.done) return ok(stream as AsyncGenerator<never>);
    let snapshot = first.value;
    const found = await this.reflected(snapshot.id);
    if (found.row && found.row.version > snapshot.version && found.row.desiredState !== "deleted") {
      snapshot = found.row;
    }
    const scope = { projectId: snapshot.projectId, workspaceId: snapshot.id };
    let from: bigint | undefined;
    if (after !== undefined) {
      const decoded = decodeEventCursor(after, scope.projectId);
      const failure =
        decoded === null
          ? errors.invalidInput([{ field: "after", message: "must be an event's id" }])
          : await this.checkCursor(scope, decoded);
      if (failure || decoded === null) {
        refused.abort();
        await stream.return(undefined);
        return fail(failure ?? errors.invalidInput([]));
      }
      from = decoded;
    }
    return ok(this.workspaceItems(scope, stream, snapshot, found.seq, from));
  }

  private async *workspaceItems(
    scope: Required<EventScope>,
    stream: AsyncGenerator<WatchedWorkspace>,
    snapshot: WatchedWorkspace,
    snapshotSeq: bigint,
    from: bigint | undefined,
  ): AsyncGenerator<WorkspaceStreamItem> {
    const id = (seq: bigint) => encodeEventCursor(scope.projectId, seq);
    try {
      for (let cursor = from; cursor !== undefined && cursor < snapshotSeq; ) {
        const rows = await this.read(scope, cursor, EVENT_PAGE_MAX, snapshotSeq);
        // Its deletion is told by the live part's last message, as to any watcher.
        for (const row of rows) {
          if (row.type !== "deleted") yield { kind: "event", event: eventOf(row) };
        }
        cursor = rows.length === EVENT_PAGE_MAX ? rows.at(-1)?.seq : undefined;
      }
      yield { kind: "workspace", workspace: snapshot, eventId: id(snapshotSeq) };
      let last = snapshot;
      let lastSeq = snapshotSeq;
      for await (const workspace of stream) {
        const deleted = workspace.status === "deleted";
        // The first read may have been overtaken above: what it read is not news again.
        if (!deleted && workspace.version <= last.version) continue;
        const found = await this.reflectedOnce(workspace.id, workspace.version);
        const exact = deleted || found.row?.version === workspace.version;
        const seq = exact && found.seq > lastSeq ? found.seq : lastSeq;
        yield { kind: "workspace", workspace, eventId: id(seq) };
        last = workspace;
        lastSeq = seq;
      }
    } finally {
      await stream.return(undefined);
    }
  }

  /**
   * `reflected` for a change every watcher of the workspace is told at once: one read per
   * workspace and version in this process, shared by its watchers (5,000 streams on one
   * workspace cost one statement per change, not 5,000), kept a second for the stragglers.
   */
  private reflectedOnce(workspaceId: string, version: number) {
    const key = `${workspaceId}:${version}`;
    let found = this.reflecting.get(key);
    if (!found) {
      found = this.reflected(workspaceId);
      this.reflecting.set(key, found);
      const forget = () => setTimeout(() => this.reflecting.delete(key), 1000).unref();
      found.then(forget, forget);
    }
    return found;
  }

  private readonly reflecting = new Map<string, ReturnType<EventService["reflected"]>>();

  /** The workspace and its newest event's number, in one statement (REFLECTED). */
  private async reflected(workspaceId: string): Promise<{ row: Workspace | null; seq: bigint }> {
    const [found] = await this.prisma.$queryRawUnsafe<
      (Workspace & { eventSeq: bigint | number })[]
    >(REFLECTED, workspaceId);
    if (!found) return { row: null, seq: 0n };
    const { eventSeq, ...row } = found;
    return { row: row.id ? (row as Workspace) : null, seq: BigInt(eventSeq) };
  }

  private read(
    scope: EventScope,
    after: bigint,
    take: number,
    through?: bigint,
  ): Promise<EventRow[]> {
    return this.prisma.workspaceEvent.findMany({
      where: {
        projectId: scope.projectId,
        ...(scope.workspaceId ? { workspaceId: scope.workspaceId } : {}),
        seq: through === undefined ? { gt: after } : { gt: after, lte: through },
      },
      orderBy: { seq: "asc" },
      take,
    });
  }

  /** CURSOR_EXPIRED when the sweep removed an event after the cursor; undefined otherwise. */
  private async checkCursor(scope: EventScope, after: bigint) {
    const head = await this.prisma.workspaceEventHead.findUnique({
      where: { projectId: scope.projectId },
      select: { prunedSeq: true },
    });
    return head && after < head.prunedSeq ? cursorExpired(this.retentionDays) : undefined;
  }

  /**
   * Removes events older than the retention (through the index on `at`), in batches, and records
   * per project the newest number removed, so that a cursor before it is refused rather than
   * silently skipping what was removed. Returns how many were removed.
   */
  async sweep(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.retentionDays * 86_400_000);
    let total = 0;
    for (;;) {
      const [result] = await this.prisma.$queryRaw<{ removed: bigint }[]>`
        WITH due AS (
          SELECT project_id, seq FROM workspace_events WHERE at < ${cutoff}
          ORDER BY at LIMIT ${SWEEP_BATCH}
        ), gone AS (
          DELETE FROM workspace_events e USING due
          WHERE e.project_id = due.project_id AND e.seq = due.seq
          RETURNING e.project_id, e.seq
        ), marked AS (
          UPDATE workspace_event_heads h SET pruned_seq = GREATEST(h.pruned_seq, g.seq)
          FROM (SELECT project_id, max(seq) AS seq FROM gone GROUP BY project_id) g
          WHERE h.project_id = g.project_id
          RETURNING 1
        )
        SELECT count(*) AS removed FROM gone`;
      const removed = Number(result?.removed ?? 0);
      total += removed;
      if (removed < SWEEP_BATCH) return total;
    }
  }
}
