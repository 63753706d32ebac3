/**
 * A small in-process cache of verified tokens: least recently used goes first when full, and
 * an entry older than its TTL is never served. Hand-written (about 50 lines) rather than a
 * dependency: lru-cache is only a transitive package here.
 */
export interface TokenCacheOptions {
  /** How long an entry is served after it was verified against the database. */
  ttlMs: number;
  /** The most entries kept; the least recently used goes first. */
  maxEntries: number;
  /** The clock (tests move it). */
  now?: () => number;
}

export class TokenCache<Value> {
  private readonly entries = new Map<string, { value: Value; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: TokenCacheOptions) {
    this.ttlMs = options.ttlMs;
    this.maxEntries = options.maxEntries;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value while it is fresh; a hit becomes the most recently used. */
  get(key: string): Value | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (this.now() >= entry.expiresAt) return undefined;
    this.entries.set(key, entry); // Map order is the recency order
    return entry.value;
  }

  set(key: string, value: Value): void {
    if (this.ttlMs <= 0 || this.maxEntries <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }

  /** Drops every entry `matches` picks (revocations are rare: a scan is fine). */
  deleteWhere(matches: (value: Value) => boolean): void {
    for (const [key, entry] of this.entries) if (matches(entry.value)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
