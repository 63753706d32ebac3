/**
 * Request and create rate limits (rate-limiter-flexible), fixed one-minute windows. Counters live
 * in Redis when one is configured, so every replica shares them; if Redis is unreachable each
 * replica falls back to counting in its own memory (the insurance limiter): the gateway keeps
 * serving and keeps limiting, per replica, until Redis is back.
 */
import type { Redis } from "ioredis";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";

const WINDOW_SECONDS = 60;

/** The keys of the Redis counters start with this (`<prefix><policy>:<key>`). */
export const RATE_LIMIT_KEY_PREFIX = "workspace-gateway:rate-limit:";

/** One policy's answer for a request: allowed or not, and what the headers say. */
export interface RateDecision {
  allowed: boolean;
  /** The policy's name in the RateLimit headers ("requests", "creates"). */
  policy: string;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (≥ 1). */
  resetSeconds: number;
}

/**
 * The IETF draft fields (draft-ietf-httpapi-ratelimit-headers-09): `RateLimit-Policy` states the
 * quota and window, `RateLimit` what is left and when it resets; a refusal adds Retry-After.
 */
export function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  const headers: Record<string, string> = {
    "ratelimit-policy": `"${decision.policy}";q=${decision.limit};w=${WINDOW_SECONDS}`,
    ratelimit: `"${decision.policy}";r=${decision.remaining};t=${decision.resetSeconds}`,
  };
  if (!decision.allowed) headers["retry-after"] = String(decision.resetSeconds);
  return headers;
}

/** The sentence a refusal says. */
export function rateLimitMessage(decision: RateDecision): string {
  const what = decision.policy === "creates" ? "workspace creates" : "requests";
  return `rate limit exceeded: at most ${decision.limit} ${what} per minute; retry in ${decision.resetSeconds} s`;
}

/** A counter of one policy: `limit` points per key per minute. */
export class RateLimit {
  private constructor(
    readonly policy: string,
    readonly limit: number,
    private readonly limiter: RateLimiterAbstract,
  ) {}

  /** A policy with `limit` per minute, shared through `redis` when given; null when limit is 0. */
  static create(policy: string, limit: number, redis: Redis | undefined): RateLimit | null {
    if (limit === 0) return null;
    const options = { points: limit, duration: WINDOW_SECONDS, keyPrefix: policy };
    const limiter = redis
      ? new RateLimiterRedis({
          ...options,
          keyPrefix: `${RATE_LIMIT_KEY_PREFIX}${policy}`,
          storeClient: redis,
          // Redis not ready: count in memory at once rather than queue behind a reconnect.
          rejectIfRedisNotReady: true,
          insuranceLimiter: new RateLimiterMemory(options),
        })
      : new RateLimiterMemory(options);
    return new RateLimit(policy, limit, limiter);
  }

  /** Spends `points` of `key`'s window; refused when that goes past the limit. */
  async consume(key: string, points = 1): Promise<RateDecision> {
    try {
      return this.decision(await this.limiter.consume(key, points), true);
    } catch (error) {
      if (error instanceof RateLimiterRes) return this.decision(error, false);
      throw error;
    }
  }

  /** True when `key` has nothing left in this window (without spending anything). */
  async exhausted(key: string): Promise<RateDecision | null> {
    const state = await this.limiter.get(key);
    if (state === null || state.consumedPoints < this.limit) return null;
    return this.decision(state, false);
  }

  private decision(state: RateLimiterRes, allowed: boolean): RateDecision {
    return {
      allowed,
      policy: this.policy,
      limit: this.limit,
      remaining: Math.max(0, state.remainingPoints),
      resetSeconds: Math.max(1, Math.ceil(state.msBeforeNext / 1000)),
    };
  }
}

export interface RateLimitSettings {
  /** Requests per minute per token; per client address for requests without a valid token. */
  requestsPerMinute: number;
  /** Workspace creates per minute per user (REST creates and each GraphQL createWorkspace). */
  createsPerMinute: number;
  /** Set: counters shared by every replica; should not queue commands while disconnected. */
  redis?: Redis | undefined;
}

/** Both policies; a policy set to 0 is null (off). */
export interface RateLimits {
  requests: RateLimit | null;
  creates: RateLimit | null;
}

export function createRateLimits(settings: RateLimitSettings): RateLimits {
  return {
    requests: RateLimit.create("requests", settings.requestsPerMinute, settings.redis),
    creates: RateLimit.create("creates", settings.createsPerMinute, settings.redis),
  };
}
