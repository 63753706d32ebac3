/**
 * Calls to the Fly Machines API: one request with its retries. Every attempt first takes a token
 * from its action's bucket (fly-rate-limits.ts), so the client keeps under the documented limits;
 * transient failures (429 with its Retry-After, 408, 5xx, network errors, timeouts) are retried
 * with jittered backoff; all calls of one client pause together while the API asks for it; the
 * token never appears in messages.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { rateLimitKey, TokenBuckets } from "./fly-rate-limits.js";

/** The slice of a pino logger the Fly driver writes to (retries, resources it creates). */
export interface FlyLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** A refusal from the API that a retry will not change (4xx other than 408 and 429). */
export class FlyApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`HTTP ${status}: ${detail}`);
    this.name = "FlyApiError";
  }
}

/** A failure a retry might cure, after the retries allowed for the call were spent. */
export class TransientFailure extends Error {
  constructor(
    readonly reason: string,
    readonly attempts: number,
  ) {
    super(reason);
    this.name = "TransientFailure";
  }
}

export interface CallRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** Statuses besides 2xx that the caller handles itself (404 for "already gone", 408 from wait). */
  accept?: readonly number[];
  /** 0 for creates: the caller looks up before it tries again (an answer lost after success). */
  retries?: number;
  /** Refusals that this call retries like transient failures. */
  retryOn?: readonly number[];
  /** Extra time on top of the call timeout (a `wait` blocks on purpose). */
  extraTimeoutMs?: number;
}

export interface CallReply<T> {
  status: number;
  data: T;
}

export interface FlyApiOptions {
  apiToken: string;
  baseUrl: string;
  callTimeoutMs: number;
  maxRetries: number;
  backoffBaseMs: number;
  maxBackoffMs: number;
  logger?: FlyLogger | undefined;
  /** Paces calls under the documented limits; false only for tests that provoke 429s. */
  pace?: boolean | undefined;
}

export function createFlyApi(settings: FlyApiOptions) {
  const { apiToken } = settings;
  const log = settings.logger;
  // Set by a 429: every call of this client waits until then (the limit is per token/app).
  let pausedUntil = 0;
  const buckets = settings.pace === false ? null : new TokenBuckets();

  function redact(text: string): string {
    return apiToken ? text.split(apiToken).join("[redacted]") : text;
  }

  function backoffMs(attempt: number): number {
    const ceiling = Math.min(settings.maxBackoffMs, settings.backoffBaseMs * 2 ** (attempt - 1));
    // "Equal jitter": at least half the step, so retries spread out but never bunch at zero.
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }

  async function pauseIfAsked(signal: AbortSignal): Promise<void> {
    const wait = pausedUntil - Date.now();
    if (wait > 0) await sleep(wait, undefined, { signal });
  }

  /** One API call with retries; resolves with 2xx or an accepted status, rejects otherwise. */
  async function call<T>(request: CallRequest, signal: AbortSignal): Promise<CallReply<T>> {
    const retries = request.retries ?? settings.maxRetries;
    const url = new URL(settings.baseUrl + request.path);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      url.searchParams.set(key, value);
    }
    const timeoutMs = settings.callTimeoutMs + (request.extraTimeoutMs ?? 0);
    const { key, limit } = rateLimitKey(request.method, url.pathname);
    for (let attempt = 1; ; attempt++) {
      signal.throwIfAborted();
      // The token first: a call that waited for it must still honour a pause asked meanwhile.
      await buckets?.take(key, limit, signal);
      await pauseIfAsked(signal);
      const outcome = await attemptOnce(request, url, timeoutMs, signal);
      if ("data" in outcome) return outcome as CallReply<T>;
      const delayMs =
        outcome.retryAfterMs !== undefined
          ? Math.min(settings.maxBackoffMs, outcome.retryAfterMs) +
            Math.round(Math.random() * settings.backoffBaseMs)
          : backoffMs(attempt);
      // Before giving up too: whoever calls next (a create's look-up, another step) waits as well.
      if (outcome.retryAfterMs !== undefined) {
        pausedUntil = Math.max(pausedUntil, Date.now() + delayMs);
      }
      if (attempt > retries) throw new TransientFailure(outcome.reason, attempt);
      log?.warn(
        { method: request.method, path: url.pathname, attempt, delayMs, reason: outcome.reason },
        "fly: retrying a Machines API call",
      );
      await sleep(delayMs, undefined, { signal });
    }
  }

  type Attempt = CallReply<unknown> | { reason: string; retryAfterMs?: number };

  async function attemptOnce(
    request: CallRequest,
    url: URL,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<Attempt> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: request.method,
        headers: {
          authorization: `Bearer ${apiToken}`,
          accept: "application/json",
          ...(request.body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
      text = await response.text();
    } catch (error) {
      // The step's own abort ends everything at once; a timeout or a network error is retried.
      if (signal.aborted) throw signal.reason;
      if (error instanceof Error && error.name === "TimeoutError") {
        return { reason: `no answer within ${timeoutMs} ms` };
      }
      return { reason: `network error (${networkCause(error)})` };
    }
    const { status } = response;
    if ((status >= 200 && status < 300) || request.accept?.includes(status)) {
      return { status, data: parseJson(text) };
    }
    const detail = redact(errorDetail(text)) || response.statusText;
    if (status === 429) {
      return {
        reason: `HTTP 429 rate limited: ${detail}`,
        retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
      };
    }
    if (status === 408 || status >= 500 || request.retryOn?.includes(status)) {
      return { reason: `HTTP ${status}: ${detail}` };
    }
    throw new FlyApiError(status, detail);
  }

  return { call, backoffMs, redact };
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Fly's error bodies are `{"error": "..."}` (sometimes `message`); keep them short. */
function errorDetail(text: string): string {
  const body = parseJson(text);
  let detail = typeof body === "string" ? body : "";
  if (body && typeof body === "object") {
    const { error, message } = body as { error?: unknown; message?: unknown };
    detail = typeof error === "string" ? error : typeof message === "string" ? message : "";
  }
  return detail.replace(/\s+/g, " ").trim().slice(0, 300);
}

/** Seconds (whole or fractional) or an HTTP date; undefined when absent or unreadable. */
function parseRetryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function networkCause(error: unknown): string {
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === "string") return cause.code;
  return error instanceof Error ? error.message : "unknown";
}
