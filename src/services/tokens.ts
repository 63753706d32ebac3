import type { User } from "../generated/prisma/client.js";
import type { ServiceDeps } from "./deps.js";
import { errors, fail, ok, type Result, UUID_PATTERN } from "./result.js";
import type { Revocations } from "./revocations.js";
import { TokenCache } from "./token-cache.js";
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

/** How long a verified token is served from memory unless told otherwise (TOKEN_CACHE_TTL_MS). */
export const TOKEN_CACHE_TTL_MS = 10_000;
/** The most tokens cached per process: about 1 KB each (the user row), so about 10 MB at most. */
export const TOKEN_CACHE_MAX_ENTRIES = 10_000;

export interface TokenCacheSettings {
  ttlMs: number;
  maxEntries: number;
}

interface Cached {
  principal: Principal;
  /** When last_used_at was last written (or read), in ms; null when never. */
  lastUsedAt: number | null;
}

export class TokenService {
  /** sha256 of the token → the principal it was verified as. */
  private readonly cache: TokenCache<Cached>;
  /** Grows with every drop, so a lookup that raced a revocation is not cached. */
  private generation = 0;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly revocations: Revocations,
    cache: TokenCacheSettings = { ttlMs: TOKEN_CACHE_TTL_MS, maxEntries: TOKEN_CACHE_MAX_ENTRIES },
  ) {
    this.cache = new TokenCache(cache);
    revocations.onEvent((event) => {
      this.generation++;
      if (event.kind === "token-revoked") {
        this.cache.deleteWhere((entry) => entry.principal.tokenId === event.tokenId);
      } else {
        this.cache.deleteWhere((entry) => entry.principal.user.id === event.userId);
      }
    });
  }

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

  /**
   * The caller behind `token`, or null for a malformed, unknown or revoked token. Verified
   * tokens are served from memory for up to the cache TTL; a revocation drops them at once.
   */
  async authenticate(token: string): Promise<Principal | null> {
    // Malformed tokens reach neither the cache nor the database.
    if (!isWellFormedToken(token)) return null;
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    if (cached) {
      await this.touch(cached);
      return cached.principal;
    }
    const generation = this.generation;
    const row = await this.deps.prisma.apiToken.findUnique({
      where: { tokenHash: hash },
      select: { id: true, revokedAt: true, lastUsedAt: true, user: true },
    });
    if (!row || row.revokedAt) return null;
    const entry: Cached = {
      principal: { user: row.user, tokenId: row.id },
      lastUsedAt: row.lastUsedAt?.getTime() ?? null,
    };
    // Heard of (from another replica or the poll) before the row above was read? Refuse.
    if (this.revocations.isRevoked(entry.principal)) return null;
    await this.touch(entry);
    if (generation === this.generation) this.cache.set(hash, entry);
    return entry.principal;
  }

  /**
   * The caller behind `token` when the cache holds it, without the database (undefined
   * otherwise): the rate limiter trusts a known token before it spends anything of its address.
   */
  cached(token: string): Principal | undefined {
    if (!isWellFormedToken(token)) return undefined;
    return this.cache.get(hashToken(token))?.principal;
  }

  /** Writes last_used_at when the last write is older than its resolution. */
  private async touch(entry: Cached): Promise<void> {
    const now = Date.now();
    if (entry.lastUsedAt !== null && now - entry.lastUsedAt <= LAST_USED_RESOLUTION_MS) return;
    // Set first, so concurrent requests of the same token write once.
    entry.lastUsedAt = now;
    // updateMany: a token deleted meanwhile (with its user) is not an error here.
    await this.deps.prisma.apiToken.updateMany({
      where: { id: entry.principal.tokenId },
      data: { lastUsedAt: new Date(now) },
    });
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
    if (row.revokedAt) {
      // Said again: replicas that somehow missed it hear it now.
      this.revocations.tokenRevoked(row.id);
      return ok({ ...row, revokedAt: row.revokedAt });
    }
    const revokedAt = new Date();
    await this.deps.prisma.apiToken.update({ where: { id: row.id }, data: { revokedAt }, select });
    // Cached copies and open streams of this token end here now, on other replicas at once
    // through the bus, or at their next poll.
    this.revocations.tokenRevoked(row.id);
    return ok({ id: row.id, prefix: row.prefix, revokedAt });
  }
}
