import { createHash } from "node:crypto";
import type { PrismaClient } from "../db/client.js";
import { errors, type ServiceError } from "./result.js";

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

export type Reservation =
  | { kind: "reserved"; recordId: string }
  | { kind: "replay"; response: unknown }
  | { kind: "rejected"; error: ServiceError };

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
 * Claims `key` for this request. The unique (user, key) constraint decides between concurrent
 * requests: exactly one inserts; the others see its record and replay it, wait (409) or are
 * told the key was used for another request (422).
 */
export async function reserveIdempotencyKey(
  prisma: PrismaClient,
  userId: string,
  key: string,
  print: string,
): Promise<Reservation> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = new Date();
    const inserted = await prisma.idempotencyRecord.createManyAndReturn({
      data: [
        {
          userId,
          key,
          fingerprint: print,
          expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
        },
      ],
      skipDuplicates: true,
      select: { id: true },
    });
    if (inserted[0]) return { kind: "reserved", recordId: inserted[0].id };

    const existing = await prisma.idempotencyRecord.findUnique({
      where: { userId_key: { userId, key } },
    });
    if (!existing) continue; // expired and swept between the two statements
    if (existing.expiresAt <= now) {
      await prisma.idempotencyRecord.deleteMany({
        where: { id: existing.id, expiresAt: { lte: now } },
      });
      continue;
    }
    if (existing.fingerprint !== print) {
      return { kind: "rejected", error: errors.idempotencyKeyReused() };
    }
    if (existing.state === "completed") return { kind: "replay", response: existing.response };
    const abandoned = new Date(now.getTime() - IN_FLIGHT_TIMEOUT_MS);
    const takeover = await prisma.idempotencyRecord.updateMany({
      where: { id: existing.id, state: "in_flight", createdAt: { lt: abandoned } },
      data: { createdAt: now },
    });
    if (takeover.count === 1) return { kind: "reserved", recordId: existing.id };
    return { kind: "rejected", error: errors.idempotencyInFlight() };
  }
  return { kind: "rejected", error: errors.idempotencyInFlight() };
}

/** Frees a reservation whose request failed unexpectedly, so that a retry can run it. */
export async function releaseIdempotencyKey(prisma: PrismaClient, recordId: string) {
  await prisma.idempotencyRecord.deleteMany({ where: { id: recordId, state: "in_flight" } });
}

/** Deletes expired keys; returns how many. */
export async function sweepIdempotencyKeys(prisma: PrismaClient, now = new Date()) {
  const { count } = await prisma.idempotencyRecord.deleteMany({
    where: { expiresAt: { lt: now } },
  });
  return count;
}
