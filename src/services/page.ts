/**
 * Pages of a list, newest first, for every list that pages by `limit` and `after` (a project's
 * workspaces, the user's projects): one rule for the limit, one cursor format, one way to find
 * the next page, so the lists page alike.
 */
import { errors, fail, type InputIssue, ok, type Result, UUID_PATTERN } from "./result.js";

/** The most rows one page of a list holds (and what a list without `limit` holds). */
export const LIST_LIMIT_MAX = 100;

/** Where a row stands in a newest-first list: its creation time, ties broken by id. */
export interface PagePosition {
  createdAt: Date;
  id: string;
}

export interface PageRequest {
  /** 1 to LIST_LIMIT_MAX; default LIST_LIMIT_MAX. */
  limit?: number | undefined;
  /** The `next` cursor of the previous page. */
  after?: string | undefined;
}

/** Newest first; the id breaks ties between equal timestamps so that pages are stable. */
export const NEWEST_FIRST = [{ createdAt: "desc" }, { id: "desc" }] as const;

/** A Prisma `where` for the rows after a cursor (any model with `createdAt` and `id`). */
export type AfterCursor =
  | { OR: [{ createdAt: { lt: Date } }, { createdAt: Date; id: { lt: string } }] }
  | Record<string, never>;

/**
 * The page asked for, checked: the limit, and where the previous page ended as a Prisma `where`
 * (empty on the first page). One more row than the limit is to be read (see `pageOf`).
 */
export function readPage(
  page: PageRequest,
): Result<{ limit: number; where: AfterCursor; after: PagePosition | null }> {
  const limit = page.limit ?? LIST_LIMIT_MAX;
  const issues: InputIssue[] = [];
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > LIST_LIMIT_MAX) {
    issues.push({ field: "limit", message: `must be a whole number from 1 to ${LIST_LIMIT_MAX}` });
  }
  const after = page.after === undefined ? undefined : decodeCursor(page.after);
  if (after === null) {
    issues.push({ field: "after", message: "must be the next cursor of a previous page" });
  }
  if (issues.length > 0) return fail(errors.invalidInput(issues));
  const where: AfterCursor = after
    ? {
        OR: [
          { createdAt: { lt: after.createdAt } },
          { createdAt: after.createdAt, id: { lt: after.id } },
        ],
      }
    : {};
  return ok({ limit, where, after: after ?? null });
}

/** The page out of `limit + 1` rows read: `next` continues the list; null on the last page. */
export function pageOf<Row extends PagePosition>(
  rows: Row[],
  limit: number,
): { rows: Row[]; next: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, next: rows.length > limit && last ? encodeCursor(last) : null };
}

/** A page cursor: where the previous page ended, in the list's order. Opaque to clients. */
export function encodeCursor(row: PagePosition): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString("base64url");
}

/** The position a cursor names; null when it is not a cursor of ours. */
export function decodeCursor(cursor: string): PagePosition | null {
  const [time = "", id = ""] = Buffer.from(cursor, "base64url").toString().split("|");
  const createdAt = new Date(time);
  if (Number.isNaN(createdAt.getTime()) || !UUID_PATTERN.test(id)) return null;
  return { createdAt, id };
}
