/**
 * An insert with an idempotency key, as one statement (a single statement is its own
 * transaction): the key's claim, the lookup of an earlier request with that key, and the insert
 * with its completed record and stored response. Every create that takes a key (a workspace, a
 * project) is built here, so they share one protocol and one table of keys per user.
 *
 * - `claim`: a transaction-level advisory lock on (user, key), taken without waiting; a request
 *   that does not get it finds the key in flight (409) instead of queueing behind it.
 * - `existing`: the record of an earlier request with this key, as of the statement's start.
 * - `created`/`stored`: only with the claim and no earlier record, the row and the completed
 *   record with the response, committed together or not at all. A request with the same key that
 *   committed after this statement's snapshot makes `stored` fail on the unique (user, key)
 *   index, which rolls back the row too; the caller then looks again.
 */

/** Where the statement finds the key's values: SQL placeholders such as `$12`. */
export interface KeyParameters {
  user: string;
  key: string;
  fingerprint: string;
  recordId: string;
  expiresAt: string;
}

/** The key's values, in the order the caller puts them at its KeyParameters' places. */
export interface KeyValues {
  key: string;
  fingerprint: string;
  recordId: string;
  expiresAt: Date;
}

export function idempotentInsertText(options: {
  /** `INSERT … SELECT … WHERE …`: the claim's conditions are added to its WHERE. */
  insert: string;
  /** The RETURNING list: the created row, under the names its reader expects. */
  returning: string;
  parameters: KeyParameters;
  /** The record's workspace_id: `c.id` for a workspace, `NULL` for anything else. */
  workspaceId: string;
}): string {
  const p = options.parameters;
  return `WITH claim AS (
    SELECT pg_try_advisory_xact_lock(hashtextextended(${p.user}::text || ':' || ${p.key}::text, 0)) AS held
  ), existing AS (
    SELECT r.id, r.fingerprint, r.state::text AS state, r.response, r.created_at, r.expires_at
    FROM idempotency_records r WHERE r.user_id = ${p.user}::uuid AND r.key = ${p.key}::text
  ), created AS (
    ${options.insert}
      AND (SELECT held FROM claim) AND NOT EXISTS (SELECT 1 FROM existing)
    RETURNING ${options.returning}
  ), stored AS (
    INSERT INTO idempotency_records
      (id, user_id, key, fingerprint, state, workspace_id, response, expires_at)
    SELECT ${p.recordId}::uuid, ${p.user}::uuid, ${p.key}::text, ${p.fingerprint}::text, 'completed', ${options.workspaceId}, to_jsonb(c), ${p.expiresAt}::timestamptz
    FROM created c
    RETURNING id
  )
  SELECT claim.held AS "claimHeld", e.id AS "recordId", e.fingerprint AS "recordFingerprint",
    e.state AS "recordState", e.response AS "recordResponse", e.created_at AS "recordCreatedAt",
    e.expires_at AS "recordExpiresAt", c.*
  FROM claim LEFT JOIN existing e ON true LEFT JOIN created c ON true`;
}

/** An earlier request's record for the key, as the idempotent insert found it. */
export interface ExistingKey {
  id: string;
  fingerprint: string;
  state: "in_flight" | "completed";
  response: unknown;
  createdAt: Date;
  expiresAt: Date;
}

export type IdempotentInsert<Row> =
  | { kind: "created"; row: Row }
  | { kind: "existing"; record: ExistingKey }
  /** Another request holds the key right now. */
  | { kind: "in_flight" }
  /** Nothing inserted: the insert's own conditions refused it (say, not the user's project). */
  | { kind: "refused" };

/** The statement's row: the record found (if any), the claim, and the created row's columns. */
export type IdempotentRow<Row> = Row & {
  claimHeld: boolean;
  recordId: string | null;
  recordFingerprint: string;
  recordState: "in_flight" | "completed";
  recordResponse: unknown;
  recordCreatedAt: Date;
  recordExpiresAt: Date;
};

/** The statement's one row, read: the created row (`id` null when none), or why not. */
export function readIdempotentRow<Row extends { id: string }>(
  row: IdempotentRow<Row> | undefined,
): IdempotentInsert<Row> {
  if (!row) throw new Error("the idempotent insert returned no row");
  const {
    claimHeld,
    recordId,
    recordFingerprint,
    recordState,
    recordResponse,
    recordCreatedAt,
    recordExpiresAt,
    ...created
  } = row;
  if (recordId !== null) {
    return {
      kind: "existing",
      record: {
        id: recordId,
        fingerprint: recordFingerprint.trim(),
        state: recordState,
        response: recordResponse,
        createdAt: new Date(recordCreatedAt),
        expiresAt: new Date(recordExpiresAt),
      },
    };
  }
  if (!claimHeld) return { kind: "in_flight" };
  if ((created as unknown as Row).id === null) return { kind: "refused" };
  return { kind: "created", row: created as unknown as Row };
}
