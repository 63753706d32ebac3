/**
 * What one caller (a token, or an address without a valid token) may hold of this process at
 * once: requests in flight that use the database (MAX_CONCURRENT_REQUESTS_PER_TOKEN: up to 8
 * times as many more wait at most 2 s, then 429) and open streams (MAX_STREAMS_PER_TOKEN: 429 at
 * once). The rate limits bound how much a caller asks per minute; these bound how much it holds
 * at a time, so that a few slow requests of one caller cannot take every database connection
 * from the others.
 *
 * Counted per process, in memory: a caller spread over N replicas may hold N times as much, and
 * each replica's database pool is protected on its own, which is what matters here.
 */
import type { IncomingMessage } from "node:http";
import { processMetrics } from "../metrics.js";

/** How long a request waits for its caller's share of the database before a 429. */
export const DATABASE_SHARE_WAIT_MS = 2000;
/**
 * How many requests of a caller may wait, per place: the cap bounds what runs, not what a
 * client sends at once, so a burst of quick requests (a script deleting 20 workspaces) waits its
 * turn; the queue stays bounded, so a flood is still refused at once.
 */
export const DATABASE_SHARE_QUEUE_PER_PLACE = 8;
/** What the 429 of each limit says in Retry-After (seconds). */
export const CONCURRENCY_RETRY_AFTER_S = 1;
export const STREAMS_RETRY_AFTER_S = 5;

/** Gives a slot back; calling it again does nothing. */
export type Release = () => void;

/** What the slots report to (prom-client gauges). */
interface Level {
  inc(): void;
  dec(): void;
}

const UNCOUNTED: Level = { inc() {}, dec() {} };

interface Waiter {
  grant(release: Release): void;
}

/**
 * At most `limit` slots per key; with `queue`, up to `queue.length` more callers of a key wait
 * (first come, first served) up to `queue.waitMs` for a slot, then are refused.
 */
export class CallerSlots {
  private readonly held = new Map<string, number>();
  private readonly waiting = new Map<string, Waiter[]>();

  constructor(
    readonly limit: number,
    private readonly queue: { length: number; waitMs: number } = { length: 0, waitMs: 0 },
    private readonly levels: { held: Level; waiting: Level } = {
      held: UNCOUNTED,
      waiting: UNCOUNTED,
    },
  ) {}

  /** A slot now, or null when the key holds `limit` and no waiting place is free. */
  tryAcquire(key: string): Release | null {
    const held = this.held.get(key) ?? 0;
    if (held >= this.limit) return null;
    this.held.set(key, held + 1);
    this.levels.held.inc();
    return this.releaser(key);
  }

  /** A slot, after a short wait when the key holds all of its own; null when refused. */
  acquire(key: string): Promise<Release | null> {
    const now = this.tryAcquire(key);
    if (now) return Promise.resolve(now);
    const queue = this.waiting.get(key) ?? [];
    if (queue.length >= this.queue.length) return Promise.resolve(null);
    this.waiting.set(key, queue);
    this.levels.waiting.inc();
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: (release) => {
          clearTimeout(timer);
          resolve(release);
        },
      };
      const timer = setTimeout(() => {
        this.leaveQueue(key, waiter);
        resolve(null);
      }, this.queue.waitMs);
      queue.push(waiter);
    });
  }

  /** Slots held by `key` (tests and metrics). */
  heldBy(key: string): number {
    return this.held.get(key) ?? 0;
  }

  private releaser(key: string): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.get(key)?.[0];
      if (next) {
        // The slot goes straight to the first waiter: the count of the key does not change.
        this.leaveQueue(key, next);
        next.grant(this.releaser(key));
        return;
      }
      const held = (this.held.get(key) ?? 1) - 1;
      if (held > 0) this.held.set(key, held);
      else this.held.delete(key);
      this.levels.held.dec();
    };
  }

  private leaveQueue(key: string, waiter: Waiter) {
    const queue = this.waiting.get(key);
    const at = queue?.indexOf(waiter) ?? -1;
    if (!queue || at < 0) return;
    queue.splice(at, 1);
    if (queue.length === 0) this.waiting.delete(key);
    this.levels.waiting.dec();
  }
}

export interface CallerShareSettings {
  /** MAX_CONCURRENT_REQUESTS_PER_TOKEN; 0: off. */
  concurrentRequests: number;
  /** MAX_STREAMS_PER_TOKEN; 0: off. */
  streams: number;
}

/** Both limits of a process; a limit set to 0 is null (off). */
export interface CallerShares {
  database: CallerSlots | null;
  streams: CallerSlots | null;
}

export function createCallerShares(settings: CallerShareSettings): CallerShares {
  const metrics = processMetrics;
  return {
    database:
      settings.concurrentRequests > 0
        ? new CallerSlots(
            settings.concurrentRequests,
            {
              length: settings.concurrentRequests * DATABASE_SHARE_QUEUE_PER_PLACE,
              waitMs: DATABASE_SHARE_WAIT_MS,
            },
            { held: metrics.databaseShareInFlight, waiting: metrics.databaseShareWaiting },
          )
        : null,
    streams:
      settings.streams > 0
        ? new CallerSlots(settings.streams, undefined, {
            held: metrics.streamsOpen,
            waiting: UNCOUNTED,
          })
        : null,
  };
}

/** The database share a request holds, until its answer is sent or it gives it back earlier. */
const shares = new WeakMap<IncomingMessage, Release>();

export function holdDatabaseShare(request: IncomingMessage, release: Release): void {
  shares.set(request, release);
}

/**
 * A long-lived request (a wait, an event stream, a subscription) gives its share back once it
 * has read what it needed and only waits: waiting holds no database connection.
 */
export function releaseDatabaseShare(request: IncomingMessage): void {
  shares.get(request)?.();
  shares.delete(request);
}
