import type { User } from "../generated/prisma/client.js";
import type { ServiceDeps } from "./deps.js";
import { errors, fail, ok, type Result, UUID_PATTERN } from "./result.js";
import {
  generateToken,
  hashToken,
  isWellFormedToken,
  VISIBLE_PREFIX_LENGTH,
} from "./token-format.js";

/** Who is calling: the user behind a valid token. */
export interface Principal {
  user: User;
  tokenId: string;
}

/** last_used_at is written at most this often per token, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export class TokenService {
  constructor(private readonly deps: ServiceDeps) {}

  /** Issues a new token; the raw token is returned once and only its hash is stored. */
  async issue(userId: string): Promise<{ id: string; token: string; prefix: string }> {
    const token = generateToken();
    const prefix = token.slice(0, VISIBLE_PREFIX_LENGTH);
    const row = await this.deps.prisma.apiToken.create({
      data: { userId, tokenHash: hashToken(token), prefix },
      select: { id: true },
    });
    return { id: row.id, token, prefix };
  }

  /** The caller behind `token`, or null for a malformed, unknown or revoked token. */
  async authenticate(token: string): Promise<Principal | null> {
    if (!isWellFormedToken(token)) return null;
    const row = await this.deps.prisma.apiToken.findUnique({
      where: { tokenHash: hashToken(token) },
      select: { id: true, revokedAt: true, lastUsedAt: true, user: true },
    });
    if (!row || row.revokedAt) return null;
    const now = Date.now();
    if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.deps.prisma.apiToken.update({
        where: { id: row.id },
        data: { lastUsedAt: new Date(now) },
        select: { id: true },
      });
    }
    return { user: row.user, tokenId: row.id };
  }

  /** Revokes by token id, by the raw token, or by its visible prefix; a second revoke keeps the first time. */
  async revoke(ref: string): Promise<Result<{ id: string; prefix: string; revokedAt: Date }>> {
    const where = isWellFormedToken(ref)
      ? { tokenHash: hashToken(ref) }
      : UUID_PATTERN.test(ref)
        ? { id: ref }
        : { prefix: ref };
    const select = { id: true, prefix: true, revokedAt: true } as const;
    const row = await this.deps.prisma.apiToken.findFirst({ where, select });
    if (!row) return fail(errors.tokenNotFound());
    if (row.revokedAt) return ok({ ...row, revokedAt: row.revokedAt });
    const revokedAt = new Date();
    await this.deps.prisma.apiToken.update({ where: { id: row.id }, data: { revokedAt }, select });
    return ok({ id: row.id, prefix: row.prefix, revokedAt });
  }
}
