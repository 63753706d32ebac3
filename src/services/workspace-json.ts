import type { Workspace } from "../generated/prisma/client.js";

const DATE_FIELDS = ["createdAt", "updatedAt", "lastActivityAt", "leaseExpiresAt"] as const;

/** A workspace row that went through JSON (Redis, a stored idempotent response) back into a row. */
export function reviveWorkspace(json: unknown): Workspace {
  const row = { ...(json as Record<string, unknown>) };
  for (const field of DATE_FIELDS) {
    if (typeof row[field] === "string") row[field] = new Date(row[field] as string);
  }
  return row as unknown as Workspace;
}
