// The verified-token cache on its own: its size bound, its TTL, and the TOKEN_CACHE_TTL_MS setting.
import { describe, expect, it } from "vitest";
import { parseEnv } from "../src/env.js";
import { TokenCache } from "../src/services/token-cache.js";

function cacheAt(start: number, options: { ttlMs: number; maxEntries: number }) {
  const clock = { now: start };
  const cache = new TokenCache<string>({ ...options, now: () => clock.now });
  return { cache, clock };
}

describe("the token cache", () => {
  it("keeps maxEntries entries, and drops the least recently used for one more", () => {
    const { cache } = cacheAt(0, { ttlMs: 1000, maxEntries: 3 });
    cache.set("a", "A");
    cache.set("b", "B");
    cache.set("c", "C");
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual(["A", "B", "C"]);
    expect(cache.size).toBe(3);
    cache.get("a"); // now b is the least recently used
    cache.set("d", "D");
    expect(cache.size).toBe(3);
    expect(cache.get("b")).toBeUndefined();
    expect([cache.get("a"), cache.get("c"), cache.get("d")]).toEqual(["A", "C", "D"]);
  });

  it("serves an entry until ttlMs after it was set, never at ttlMs", () => {
    const { cache, clock } = cacheAt(1000, { ttlMs: 500, maxEntries: 10 });
    cache.set("a", "A");
    clock.now = 1499;
    expect(cache.get("a")).toBe("A");
    clock.now = 1500;
    expect(cache.get("a")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("keeps nothing when the TTL is 0 (TOKEN_CACHE_TTL_MS=0 turns it off)", () => {
    const { cache } = cacheAt(0, { ttlMs: 0, maxEntries: 10 });
    cache.set("a", "A");
    expect(cache.get("a")).toBeUndefined();
  });

  it("drops what a predicate picks (a revoked token, a changed user)", () => {
    const { cache } = cacheAt(0, { ttlMs: 1000, maxEntries: 10 });
    for (const key of ["a1", "a2", "b1"]) cache.set(key, key[0] ?? "");
    cache.deleteWhere((value) => value === "a");
    expect([cache.get("a1"), cache.get("a2"), cache.get("b1")]).toEqual([
      undefined,
      undefined,
      "b",
    ]);
  });
});

describe("TOKEN_CACHE_TTL_MS", () => {
  it("defaults to 10 s", () => {
    expect(parseEnv({}).TOKEN_CACHE_TTL_MS).toBe(10_000);
  });

  it.each([
    ["0", 0],
    ["60000", 60_000],
  ])("accepts %s", (value, parsed) => {
    expect(parseEnv({ TOKEN_CACHE_TTL_MS: value }).TOKEN_CACHE_TTL_MS).toBe(parsed);
  });

  it.each(["60001", "-1", "1.5", "ten"])(
    "refuses %s with one line naming the variable",
    (value) => {
      expect(() => parseEnv({ TOKEN_CACHE_TTL_MS: value })).toThrow(
        /^[^\n]*TOKEN_CACHE_TTL_MS[^\n]*$/,
      );
    },
  );
});
