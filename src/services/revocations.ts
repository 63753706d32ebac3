/**
 * Revocation that holds: when a token is revoked (or its user deleted), every replica drops it
 * from its token cache and ends every long-lived stream authenticated with it (WebSockets, SSE)
 * within a few seconds. Three paths bring the news, fastest first:
 * - the process that revoked acts at once, and tells the other replicas over the bus (Redis);
 * - every replica polls `api_tokens.revoked_at` (indexed) every `pollMs`: this catches a CLI
 *   process that wrote the database directly, and a broadcast lost while Redis was away;
 * - every `verifyMs` a replica re-reads the tokens its open streams hold: this catches a user
 *   (and so their tokens) deleted in SQL, and a `revoked_at` written by a clock far behind.
 */
import type { PrismaClient } from "../db/client.js";
import { type Logger, silentLogger } from "../logger.js";
import { UUID_PATTERN } from "./result.js";
import type { StatusBus } from "./status-bus.js";

/** What a replica hears about its callers. */
export type RevocationEvent =
  /** The token no longer authenticates: cached entries go, its streams end. */
  | { kind: "token-revoked"; tokenId: string }
  /** The user is gone: every token of theirs stops working. */
  | { kind: "user-deleted"; userId: string }
  /** The user's row changed (e.g. default hardware): cached copies go, streams go on. */
  | { kind: "user-changed"; userId: string }
  /** The user's membership of the project was removed or lowered: their streams on it end. */
  | { kind: "membership-changed"; userId: string; projectId: string };

/** Whom a stream is authenticated as. */
export interface Holder {
  tokenId: string;
  user: { id: string };
  /** The token's expiry: its streams end then (null or left out: none). */
  expiresAt?: Date | null;
}

/** A stream's stake in its token: `signal` aborts when the token is revoked. */
export interface Hold {
  signal: AbortSignal;
  /** Call when the stream ends (idempotent). */
  release(): void;
}

/**
 * A connection's stake in its token without a signal (see `holdConnection`): `ended` once the
 * token is revoked or expired, or its user deleted.
 */
export interface ConnectionHold {
  readonly ended: boolean;
  /** Why it ended (with `ended`). */
  readonly reason: Error | undefined;
  /** Call when the connection closes (idempotent). */
  release(): void;
}

export interface RevocationsOptions {
  prisma: PrismaClient;
  bus: StatusBus;
  /** How often `revoked_at` is polled (default 2 s). */
  pollMs?: number;
  /** How often the tokens of open streams are re-read (default 10 s, the token cache TTL). */
  verifyMs?: number;
}

export const REVOCATION_POLL_MS = 2000;
const VERIFY_HELD_MS = 10_000;
/**
 * Each poll looks this far back (not only since the last poll): a revoke whose `revoked_at`
 * was stamped before a poll but committed after it, or by a clock up to this much behind, is
 * still seen. Tokens already handled are remembered this long, so each is handled once.
 */
const LOOKBACK_MS = 60_000;
const TOPIC = "revocations";

/**
 * One holder of a token: ended (once) when the token is revoked or expires, or its user is
 * deleted. A plain object with a callback, not an AbortController: a WebSocket holds one for its
 * life, and a signal with its listener costs about 1 KB of heap.
 */
class Entry implements ConnectionHold {
  ended = false;
  /** Why it ended. */
  reason: Error | undefined;
  constructor(
    readonly tokenId: string,
    readonly userId: string,
    private readonly revocations: Revocations,
    private onEnd: ((reason: Error) => void) | undefined,
  ) {}

  end(reason: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.reason = reason;
    const onEnd = this.onEnd;
    this.onEnd = undefined;
    onEnd?.(reason);
  }

  release(): void {
    this.onEnd = undefined;
    this.revocations.forget(this);
  }
}

/** The holders of one token, and the one timer that ends them all at its expiry. */
interface TokenHolders {
  entries: Set<Entry>;
  expiry?: NodeJS.Timeout;
}

/** Streams on one project of one user (`user:project`): ended when the membership changes. */
class MembershipHolders {
  readonly holds = new Set<MembershipHold>();
  constructor(readonly key: string) {}
}

/**
 * A stream's stake in a membership: its signal aborts when the membership changes or `parent`
 * aborts. Listens to `parent` as an object (handleEvent), so no closure per hold but `release`.
 */
class MembershipHold implements Hold {
  readonly #controller = new AbortController();
  #released = false;

  constructor(
    private readonly holders: MembershipHolders,
    private readonly members: Map<string, MembershipHolders>,
    private readonly parent: AbortSignal,
  ) {}

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    this.#controller.abort(reason);
  }

  /** The parent aborted. */
  handleEvent(): void {
    this.#controller.abort(this.parent.reason);
    this.release();
  }

  readonly release = (): void => {
    if (this.#released) return;
    this.#released = true;
    this.parent.removeEventListener("abort", this);
    const { holders } = this;
    if (holders.holds.delete(this) && holders.holds.size === 0) {
      if (this.members.get(holders.key) === holders) this.members.delete(holders.key);
    }
  };
}

export class Revocations {
  private readonly prisma: PrismaClient;
  private readonly bus: StatusBus;
  private readonly pollMs: number;
  private readonly verifyMs: number;
  private log: Logger = silentLogger;
  /** Open streams by token id. */
  private readonly held = new Map<string, TokenHolders>();
  /** Open streams on a project by `user:project`. */
  private readonly members = new Map<string, MembershipHolders>();
  /** Recently revoked tokens and deleted users (id → when heard), so late joiners end at once. */
  private readonly revokedTokens = new Map<string, number>();
  private readonly deletedUsers = new Map<string, number>();
  private readonly listeners = new Set<(event: RevocationEvent) => void>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private lastVerify = Date.now();
  private pollFailing = false;

  constructor(options: RevocationsOptions) {
    this.prisma = options.prisma;
    this.bus = options.bus;
    this.pollMs = options.pollMs ?? REVOCATION_POLL_MS;
    this.verifyMs = options.verifyMs ?? VERIFY_HELD_MS;
  }

  /** A token was revoked in this process: act here, and tell the other replicas. */
  tokenRevoked(tokenId: string): void {
    this.announce({ kind: "token-revoked", tokenId });
  }

  /** A user was deleted in this process (their tokens went with them). */
  userDeleted(userId: string): void {
    this.announce({ kind: "user-deleted", userId });
  }

  /** A user's row changed in this process: cached copies everywhere are dropped. */
  userChanged(userId: string): void {
    this.announce({ kind: "user-changed", userId });
  }

  /** A membership was removed or lowered here: the user's streams on that project end everywhere. */
  membershipChanged(userId: string, projectId: string): void {
    this.announce({ kind: "membership-changed", userId, projectId });
  }

  /**
   * Joins a stream on one project to the user's membership there: the signal aborts when the
   * membership is removed or lowered (here or on another replica), or when `parent` aborts; the
   * entry is released then too.
   */
  holdMembership(member: { userId: string; projectId: string }, parent: AbortSignal): Hold {
    const key = `${member.userId}:${member.projectId.toLowerCase()}`;
    let holders = this.members.get(key);
    if (!holders) {
      holders = new MembershipHolders(key);
      this.members.set(key, holders);
    }
    const hold = new MembershipHold(holders, this.members, parent);
    if (parent.aborted) {
      hold.abort(parent.reason);
      if (holders.holds.size === 0) this.members.delete(key);
      return hold;
    }
    parent.addEventListener("abort", hold, { once: true });
    holders.holds.add(hold);
    return hold;
  }

  /** Calls `listener` with every event, from here or from another replica. */
  onEvent(listener: (event: RevocationEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether this process has heard, recently, that the token or its user is gone. */
  isRevoked(holder: Holder): boolean {
    return this.revokedTokens.has(holder.tokenId) || this.deletedUsers.has(holder.user.id);
  }

  /**
   * Joins a long-lived stream to its token: the returned signal aborts when the token is
   * revoked or its user deleted (at once if that is already known), or when `parent` aborts.
   */
  hold(holder: Holder, parent?: AbortSignal): Hold {
    const controller = new AbortController();
    const onParentAbort = () => controller.abort(parent?.reason);
    const entry = this.holdConnection(holder, (reason) => controller.abort(reason));
    const release = () => {
      parent?.removeEventListener("abort", onParentAbort);
      entry.release();
    };
    if (entry.ended) {
      controller.abort(entry.reason);
      return { signal: controller.signal, release };
    }
    if (parent?.aborted) controller.abort(parent.reason);
    parent?.addEventListener("abort", onParentAbort, { once: true });
    return { signal: controller.signal, release };
  }

  /**
   * Joins a connection (a WebSocket) to its token: `onEnd` is called once when the token is
   * revoked or expires, or its user is deleted, unless released before. Already ended (and
   * `onEnd` not called) when that is known now: check `ended`.
   */
  holdConnection(holder: Holder, onEnd: (reason: Error) => void): ConnectionHold {
    const expiresIn = holder.expiresAt ? holder.expiresAt.getTime() - Date.now() : undefined;
    // An expired token is refused like a revoked one: its streams end at expiry.
    const known = this.isRevoked(holder)
      ? "token revoked"
      : expiresIn !== undefined && expiresIn <= 0
        ? "token expired"
        : undefined;
    if (known) {
      const ended = new Entry(holder.tokenId, holder.user.id, this, undefined);
      ended.end(new Error(known));
      return ended;
    }
    const entry = new Entry(holder.tokenId, holder.user.id, this, onEnd);
    let holders = this.held.get(entry.tokenId);
    if (!holders) {
      holders = { entries: new Set() };
      this.held.set(entry.tokenId, holders);
    }
    holders.entries.add(entry);
    // One timer per token, not per stream: every holder of the token expires with it.
    if (expiresIn !== undefined && !holders.expiry) {
      const ending = holders;
      ending.expiry = setTimeout(
        () => {
          ending.expiry = undefined;
          for (const held of ending.entries) held.end(new Error("token expired"));
        },
        Math.min(expiresIn, 2 ** 31 - 1),
      ).unref();
    }
    return entry;
  }

  /** Drops a released entry (Entry.release). */
  forget(entry: Entry): void {
    const holders = this.held.get(entry.tokenId);
    if (!holders?.entries.delete(entry) || holders.entries.size > 0) return;
    clearTimeout(holders.expiry);
    this.held.delete(entry.tokenId);
  }

  /** How many streams are joined to a token right now. */
  heldCount(): number {
    let count = 0;
    for (const holders of this.held.values()) count += holders.entries.size;
    return count;
  }

  /** Listens to the other replicas and starts polling the database. */
  async start(logger: Logger = silentLogger): Promise<void> {
    this.log = logger;
    this.unsubscribe = await this.bus.onBroadcast(TOPIC, (payload) => {
      const event = parseEvent(payload);
      if (event) this.apply(event);
      else this.log.warn({ payload }, "unreadable revocation broadcast ignored");
    });
    this.schedule();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** One poll (the timer calls it; tests may too). */
  async poll(): Promise<void> {
    const now = Date.now();
    this.prune(now);
    try {
      const revoked = await this.prisma.apiToken.findMany({
        where: { revokedAt: { gt: new Date(now - LOOKBACK_MS) } },
        select: { id: true },
      });
      for (const { id } of revoked) {
        if (!this.revokedTokens.has(id)) this.apply({ kind: "token-revoked", tokenId: id });
      }
      if (now - this.lastVerify >= this.verifyMs) {
        this.lastVerify = now;
        await this.verifyHeld();
      }
      if (this.pollFailing) this.log.info({}, "revocation poll works again");
      this.pollFailing = false;
    } catch (error) {
      // One line per outage; requests meanwhile fail (or are served from the cache) on their own.
      if (!this.pollFailing) this.log.warn({ err: error }, "revocation poll failed; retrying");
      this.pollFailing = true;
    }
  }

  /** Tokens of open streams that no longer authenticate (revoked, or deleted with their user). */
  private async verifyHeld(): Promise<void> {
    const ids = [...this.held.keys()];
    if (ids.length === 0) return;
    const valid = await this.prisma.apiToken.findMany({
      where: { id: { in: ids }, revokedAt: null },
      select: { id: true },
    });
    const alive = new Set(valid.map((row) => row.id));
    for (const id of ids) if (!alive.has(id)) this.apply({ kind: "token-revoked", tokenId: id });
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      void this.poll().finally(() => {
        if (this.timer) this.schedule();
      });
    }, this.pollMs);
    this.timer.unref();
  }

  private announce(event: RevocationEvent): void {
    this.apply(event);
    this.bus.broadcast(TOPIC, event);
  }

  private apply(event: RevocationEvent): void {
    const now = Date.now();
    if (event.kind === "token-revoked") {
      this.revokedTokens.set(event.tokenId, now);
      for (const entry of this.held.get(event.tokenId)?.entries ?? []) {
        entry.end(new Error("token revoked"));
      }
    } else if (event.kind === "membership-changed") {
      const key = `${event.userId}:${event.projectId.toLowerCase()}`;
      for (const hold of this.members.get(key)?.holds ?? []) {
        hold.abort(new Error("membership changed"));
      }
    } else if (event.kind === "user-deleted") {
      this.deletedUsers.set(event.userId, now);
      for (const holders of this.held.values()) {
        for (const entry of holders.entries) {
          if (entry.userId === event.userId) entry.end(new Error("user deleted"));
        }
      }
    }
    for (const listener of this.listeners) listener(event);
  }

  private prune(now: number): void {
    // Kept longer than the poll looks back, so a token the poll sees again counts as handled.
    for (const map of [this.revokedTokens, this.deletedUsers]) {
      for (const [id, at] of map) if (now - at > 2 * LOOKBACK_MS) map.delete(id);
    }
  }
}

/** A broadcast from another process, checked: Redis is shared, its messages are input. */
function parseEvent(payload: unknown): RevocationEvent | undefined {
  if (typeof payload !== "object" || payload === null) return undefined;
  const { kind, tokenId, userId } = payload as Record<string, unknown>;
  if (kind === "token-revoked" && typeof tokenId === "string" && UUID_PATTERN.test(tokenId)) {
    return { kind, tokenId };
  }
  const { projectId } = payload as Record<string, unknown>;
  if (
    kind === "membership-changed" &&
    typeof userId === "string" &&
    typeof projectId === "string" &&
    UUID_PATTERN.test(userId) &&
    UUID_PATTERN.test(projectId)
  ) {
    return { kind, userId, projectId };
  }
  if ((kind === "user-deleted" || kind === "user-changed") && typeof userId === "string") {
    return UUID_PATTERN.test(userId) ? { kind, userId } : undefined;
  }
  return undefined;
}
