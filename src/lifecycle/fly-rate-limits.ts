/**
 * Pacing under the Machines API's documented rate limits, so the driver stays below them instead
 * of finding them through 429s: "1 request, per second, per action (create, start, stop, …),
 * burstable to 3; Get Machine 5 per second, burstable to 10", counted per action and per machine
 * (https://fly.io/docs/machines/api/working-with-machines-api/). One token bucket per action and
 * resource: calls of different machines never wait for each other; app-wide calls (list, create)
 * share the app's bucket.
 */
import { setTimeout as sleep } from "node:timers/promises";

export interface RateLimit {
  /** Sustained requests per second. */
  perSecond: number;
  /** Requests allowed at once after a quiet spell. */
  burst: number;
}

/** The documented limits: Get Machine, and every other action. */
export const FLY_RATE_LIMITS = {
  getMachine: { perSecond: 5, burst: 10 },
  action: { perSecond: 1, burst: 3 },
} as const satisfies Record<string, RateLimit>;

/**
 * The bucket a call draws from: its action (method and route, ids left out) and the resource it
 * acts on (a machine or volume id, or the app for lists and creates).
 */
export function rateLimitKey(method: string, path: string): { key: string; limit: RateLimit } {
  const route = /\/v1\/apps\/([^/]+)\/(machines|volumes)(?:\/([^/?]+)(?:\/([^/?]+))?)?/.exec(path);
  const [, app = "", kind = "", id, verb] = route ?? [];
  const action = `${method} ${kind}${id ? "/{id}" : ""}${verb ? `/${verb}` : ""}`;
  const limit =
    method === "GET" && kind === "machines" && id && !verb
      ? FLY_RATE_LIMITS.getMachine
      : FLY_RATE_LIMITS.action;
  return { key: `${action} ${id ?? app}`, limit };
}

/**
 * Token buckets that reserve: a caller takes a token now or books the next one and sleeps until
 * it is due, so concurrent callers of one bucket go in arrival order at the sustained rate. Each
 * bucket holds one token less than the API's burst: the API counts arrival times, and a call
 * that waited on the network behind another must not find the API's bucket empty.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number; limit: RateLimit }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Milliseconds the caller must wait before sending; the token is taken (booked) either way. */
  reserve(key: string, limit: RateLimit): number {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: capacity(limit), at: now, limit };
    bucket.tokens = level(bucket, now) - 1;
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 1000) this.prune(now);
    return bucket.tokens >= 0 ? 0 : Math.ceil((-bucket.tokens / limit.perSecond) * 1000);
  }

  async take(key: string, limit: RateLimit, signal: AbortSignal): Promise<void> {
    const waitMs = this.reserve(key, limit);
    if (waitMs > 0) await sleep(waitMs, undefined, { signal });
  }

  /** Full buckets tell nothing: dropped, the map holds only resources in use lately. */
  private prune(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (level(bucket, now) >= capacity(bucket.limit)) this.buckets.delete(key);
    }
  }
}

function capacity(limit: RateLimit): number {
  return Math.max(1, limit.burst - 1);
}

/** Tokens in the bucket at `now`: what it held, refilled since, up to its capacity. */
function level(bucket: { tokens: number; at: number; limit: RateLimit }, now: number): number {
  const refilled = ((now - bucket.at) / 1000) * bucket.limit.perSecond;
  return Math.min(capacity(bucket.limit), bucket.tokens + refilled);
}
