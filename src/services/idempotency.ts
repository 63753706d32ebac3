import { createHash, randomUUID } from "node:crypto";
import type { PrismaClient } from "../db/client.js";
import type { ExistingKey, IdempotentInsert, KeyValues } from "../db/idempotent-insert.js";
import { errors, fail, ok, type Result, type ServiceError } from "./result.js";

/** Keys are kept this long after the first request (CONTRACT §2: at least 24 hours). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A request still "in flight" after this long died with its process; a retry takes it over. */
export const IN_FLIGHT_TIMEOUT_MS = 60_000;
export const IDEMPOTENCY_KEY_MAX = 255;

/** The rule for a key, in words both doors use (REST names the header, GraphQL the field). */
export const IDEMPOTENCY_KEY_RULE = `must be 1 to ${IDEMPOTENCY_KEY_MAX} characters long`;

export function isValidIdempotencyKey(key: string): boolean {
  return key.length >= 1 && key.length <= IDEMPOTENCY_KEY_MAX;
}

/**
 * A key of a bad length, refused before anything is looked up. The message names the field and
 * the rule (a client showing only `message` must still see what to fix).
 */
export function invalidIdempotencyKey(key: string): ServiceError {
  return {
    code: "INVALID_INPUT",
    message: `idempotencyKey ${IDEMPOTENCY_KEY_RULE} (got ${key.length})`,
    issues: [{ field: "idempotencyKey", message: IDEMPOTENCY_KEY_RULE }],
  };
}

/** What an earlier request's record for the key means for this one. */
export type KeyVerdict =
  | { kind: "replay"; response: unknown }
  | { kind: "rejected"; error: ServiceError }
  /** Expired, or in flight past IN_FLIGHT_TIMEOUT_MS (its process died): clear it and retry. */
  | { kind: "retry" };

/** sha256 of a value's canonical JSON (object keys sorted), so equal requests match. */
export function fingerprint(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The rules for a key already used: another request (422), the same one done (replay), the same
 * one still running (409), unless the key expired or its request was abandoned (retry).
 */
export function judgeExistingKey(record: ExistingKey, print: string, now: Date): KeyVerdict {
  if (record.expiresAt <= now) return { kind: "retry" };
  if (record.fingerprint !== print) {
    return { kind: "rejected", error: errors.idempotencyKeyReused() };
  }
  if (record.state === "completed") return { kind: "replay", response: record.response };
  if (record.createdAt.getTime() < now.getTime() - IN_FLIGHT_TIMEOUT_MS) return { kind: "retry" };
  return { kind: "rejected", error: errors.idempotencyInFlight() };
}

/**
 * Deletes an expired or abandoned record so that the retry can take the key over. Conditional:
 * a record that changed meanwhile (completed, renewed) stays.
 */
export async function forgetIdempotencyKey(prisma: PrismaClient, record: ExistingKey, now: Date) {
  await prisma.idempotencyRecord.deleteMany({
    where: {
      id: record.id,
      OR: [
        { expiresAt: { lte: now } },
        { state: "in_flight", createdAt: { lt: new Date(now.getTime() - IN_FLIGHT_TIMEOUT_MS) } },
      ],
    },
  });
}

/** What a create under a key came to. */
export type KeyedCreate<Row> =
  | { kind: "created"; row: Row }
  /** The same request was done before: its response as first stored. */
  | { kind: "replayed"; response: unknown }
  /** The insert's own conditions refused it (the caller knows why). */
  | { kind: "refused" };

/**
 * A create under an idempotency key, for every create that takes one: `insert` runs the keyed
 * insert (db/idempotent-insert.ts) with the values it is given; an earlier request's record is
 * judged by the rules above. It looks again (a few times) when a request with the key committed
 * meanwhile, or when the record it found was expired or abandoned.
 */
export async function createOnce<Row>(
  prisma: PrismaClient,
  request: { key: string; fingerprint: string },
  insert: (key: KeyValues) => Promise<IdempotentInsert<Row>>,
): Promise<Result<KeyedCreate<Row>>> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = new Date();
    let outcome: IdempotentInsert<Row>;
    try {
      outcome = await insert({
        key: request.key,
        fingerprint: request.fingerprint,
        recordId: randomUUID(),
        expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
      });
    } catch (error) {
      // A request with this key committed after this statement began: look again.
      if (isUniqueViolation(error)) continue;
      throw error;
    }
    if (outcome.kind === "created" || outcome.kind === "refused") return ok(outcome);
    if (outcome.kind === "in_flight") return fail(errors.idempotencyInFlight());
    const verdict = judgeExistingKey(outcome.record, request.fingerprint, now);
    if (verdict.kind === "retry") {
      await forgetIdempotencyKey(prisma, outcome.record, now);
      continue;
    }
    if (verdict.kind === "rejected") return fail(verdict.error);
    return ok({ kind: "replayed", response: verdict.response });
  }
  return fail(errors.idempotencyInFlight());
}

/** SQLSTATE unique_violation, from `pg` directly or through Prisma's raw query error. */
export function isUniqueViolation(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = error; typeof current === "object" && current !== null; ) {
    if (seen.has(current)) return false;
    seen.add(current);
    const { code, meta, cause } = current as Record<string, unknown>;
    if (code === "23505") return true;
    const metaCode = (meta as Record<string, unknown> | undefined)?.code;
    if (metaCode === "23505") return true;
    const adapterError = (meta as Record<string, unknown> | undefined)?.driverAdapterError;
    current = adapterError ?? cause;
  }
  return false;
}

/** Deletes expired keys; returns how many. */
export async function sweepIdempotencyKeys(prisma: PrismaClient, now = new Date()) {
  const { count } = await prisma.idempotencyRecord.deleteMany({
    where: { expiresAt: { lt: now } },
  });
  return count;
}
