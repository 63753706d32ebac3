/**
 * The Fly fake's rate limits, as Fly documents them: per action and per machine, 1 request per
 * second burstable to 3, and Get Machine 5 per second burstable to 10. Written apart from the
 * driver's pacing (src/lifecycle/fly-rate-limits.ts) so that a mistake there shows up here as a
 * 429. The clock can be the test's, so a limit is tested at n and n+1 without timing.
 */
export const DOCUMENTED_LIMITS = {
  getMachine: { perSecond: 5, burst: 10 },
  otherAction: { perSecond: 1, burst: 3 },
} as const;

const ROUTE = /^\/v1\/apps\/([^/]+)\/(machines|volumes)(?:\/([^/]+)(?:\/([^/]+))?)?$/;

export class FakeRateLimits {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** Refusals so far, by bucket ("GET machines/{id} 3d8d…"). */
  readonly refused = new Map<string, number>();

  constructor(readonly now: () => number = Date.now) {}

  /** Takes a token for the call; null when admitted, else the seconds to put in Retry-After. */
  admit(method: string, pathname: string): number | null {
    const match = ROUTE.exec(pathname);
    if (!match) return null;
    const [, app, kind, id, verb] = match;
    const isGetMachine = method === "GET" && kind === "machines" && id && !verb;
    const { perSecond, burst } = isGetMachine
      ? DOCUMENTED_LIMITS.getMachine
      : DOCUMENTED_LIMITS.otherAction;
    const key = `${method} ${kind}${id ? "/{id}" : ""}${verb ? `/${verb}` : ""} ${id ?? app}`;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return null;
    }
    this.refused.set(key, (this.refused.get(key) ?? 0) + 1);
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
  }
}
