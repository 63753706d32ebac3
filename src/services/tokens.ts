import type { User } from "../generated/prisma/client.js";
import {
  type Caller,
  callerScope,
  type Role,
  scopeWithin,
  type TokenScope,
} from "./access-policy.js";
import type { ServiceDeps } from "./deps.js";
import { NEWEST_FIRST } from "./page.js";
import { errors, fail, type InputIssue, ok, type Result, UUID_PATTERN } from "./result.js";
import type { Revocations } from "./revocations.js";
import { TokenCache } from "./token-cache.js";
import {
  generateToken,
  hashToken,
  isWellFormedToken,
  VISIBLE_PREFIX_LENGTH,
} from "./token-format.js";

/** Who is calling: the user behind a valid token, and what the token allows (access-policy.ts). */
export interface Principal {
  user: User;
  tokenId: string;
  scope: TokenScope;
  /** Refused from then on; open streams end then (null: never). */
  expiresAt: Date | null;
}

/** A token as its owner sees it: never the secret. */
export interface TokenInfo {
  id: string;
  name: string;
  prefix: string;
  projectId: string | null;
  role: Role | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface IssueOptions {
  name?: string | undefined;
  projectId?: string | null | undefined;
  role?: Role | null | undefined;
  expiresAt?: Date | null | undefined;
}

/** A self-service token request (POST /user/tokens, createApiToken, `token create`). */
export interface CreateTokenInput {
  name: string;
  expiresInDays?: number | null | undefined;
  projectId?: string | null | undefined;
  role?: Role | null | undefined;
}

export const TOKEN_NAME_MAX = 100;
/** The longest a self-service token may live. */
export const TOKEN_EXPIRY_MAX_DAYS = 365;

const TOKEN_INFO = {
  id: true,
  name: true,
  prefix: true,
  projectId: true,
  role: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
} as const;

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
    /** MAX_TOKENS_PER_USER: live (not revoked, not expired) self-service tokens per user. */
    private readonly maxPerUser = 100,
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
  async issue(
    userId: string,
    options: IssueOptions = {},
  ): Promise<{ id: string; token: string; prefix: string; info: TokenInfo }> {
    const token = generateToken();
    const prefix = token.slice(0, VISIBLE_PREFIX_LENGTH);
    const info = await this.deps.prisma.apiToken.create({
      data: {
        userId,
        tokenHash: hashToken(token),
        prefix,
        name: options.name ?? "",
        projectId: options.projectId?.toLowerCase() ?? null,
        role: options.role ?? null,
        expiresAt: options.expiresAt ?? null,
      },
      select: TOKEN_INFO,
    });
    return { id: info.id, token, prefix, info };
  }

  /**
   * A token made by its user (REST, GraphQL, CLI): within the scope of the token asking (never
   * more power than it has: its project, its role, its expiry), for a project the user is a
   * member of, at most MAX_TOKENS_PER_USER live at once.
   */
  async create(
    caller: Caller,
    input: CreateTokenInput,
    memberRole: (projectId: string) => Promise<Role | null>,
  ): Promise<Result<{ token: string; info: TokenInfo }>> {
    const userId = typeof caller === "string" ? caller : caller.user.id;
    const own = callerScope(caller);
    const ownExpiry = typeof caller === "string" ? null : ((caller as Principal).expiresAt ?? null);
    const issues: InputIssue[] = [];
    const name = input.name.trim();
    if (name.length === 0 || name.length > TOKEN_NAME_MAX) {
      issues.push({ field: "name", message: `must be 1 to ${TOKEN_NAME_MAX} characters` });
    }
    const days = input.expiresInDays;
    if (days != null && (!Number.isInteger(days) || days < 1 || days > TOKEN_EXPIRY_MAX_DAYS)) {
      issues.push({
        field: "expiresInDays",
        message: `must be a whole number of days from 1 to ${TOKEN_EXPIRY_MAX_DAYS}`,
      });
    }
    if (issues.length > 0) return fail(errors.invalidInput(issues));
    // Left out: the asking token's own limits (a scoped token mints scoped tokens).
    const projectId = input.projectId === undefined ? own.projectId : input.projectId;
    const role = input.role === undefined ? own.role : input.role;
    let expiresAt = days == null ? null : new Date(Date.now() + days * 86_400_000);
    if (ownExpiry && (expiresAt === null || expiresAt > ownExpiry)) {
      if (days != null) {
        return fail(errors.forbiddenScope("a token cannot outlive the token that creates it"));
      }
      expiresAt = ownExpiry;
    }
    if (projectId != null) {
      // Not a member (or a missing project): the missing project's answer.
      if (!UUID_PATTERN.test(projectId) || (await memberRole(projectId)) === null) {
        return fail(errors.projectNotFound());
      }
    }
    if (!scopeWithin({ projectId: projectId ?? null, role: role ?? null }, own)) {
      return fail(
        errors.forbiddenScope("a token cannot create a token with more power than itself"),
      );
    }
    // The operator's `token create` (a bare user id) is not counted (README: MAX_TOKENS_PER_USER).
    const live =
      typeof caller === "string"
        ? 0
        : await this.deps.prisma.apiToken.count({
            where: {
              userId,
              revokedAt: null,
              OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }],
            },
          });
    if (live >= this.maxPerUser) {
      return fail(errors.tooManyTokens(this.maxPerUser));
    }
    const issued = await this.issue(userId, { name, projectId, role, expiresAt });
    return ok({ token: issued.token, info: issued.info });
  }

  /**
   * The user's tokens, newest first (never the secrets); a scoped token sees only the tokens
   * within its own scope.
   */
  async list(caller: Caller): Promise<TokenInfo[]> {
    const userId = typeof caller === "string" ? caller : caller.user.id;
    const own = callerScope(caller);
    const rows = await this.deps.prisma.apiToken.findMany({
      where: { userId },
      orderBy: [...NEWEST_FIRST],
      select: TOKEN_INFO,
    });
    return rows.filter((row) => scopeWithin(row, own));
  }

  /** Revokes one of the caller's tokens (within its scope), as `token revoke` does. */
  async revokeOwn(caller: Caller, tokenId: string): Promise<Result<TokenInfo>> {
    if (!UUID_PATTERN.test(tokenId)) return fail(errors.tokenNotFound());
    const userId = typeof caller === "string" ? caller : caller.user.id;
    const row = await this.deps.prisma.apiToken.findFirst({
      where: { id: tokenId, userId },
      select: TOKEN_INFO,
    });
    if (!row || !scopeWithin(row, callerScope(caller))) return fail(errors.tokenNotFound());
    const revoked = await this.revoke(row.id);
    if (!revoked.ok) return revoked;
    return ok({ ...row, revokedAt: revoked.value.revokedAt });
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
    const expired = (principal: Principal) =>
      principal.expiresAt !== null && principal.expiresAt.getTime() <= Date.now();
    if (cached && expired(cached.principal)) return null;
    if (cached) {
      await this.touch(cached);
      return cached.principal;
    }
    const generation = this.generation;
    const row = await this.deps.prisma.apiToken.findUnique({
      where: { tokenHash: hash },
      select: {
        id: true,
        revokedAt: true,
        lastUsedAt: true,
        user: true,
        projectId: true,
        role: true,
        expiresAt: true,
      },
    });
    if (!row || row.revokedAt) return null;
    const entry: Cached = {
      principal: {
        user: row.user,
        tokenId: row.id,
        scope: { projectId: row.projectId, role: row.role },
        expiresAt: row.expiresAt,
      },
      lastUsedAt: row.lastUsedAt?.getTime() ?? null,
    };
    // Heard of (from another replica or the poll) before the row above was read? Refuse.
    if (this.revocations.isRevoked(entry.principal) || expired(entry.principal)) return null;
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
