import { describe, expect, it } from "vitest";
import {
  bearerToken,
  generateToken,
  hashToken,
  isWellFormedToken,
  TOKEN_PREFIX,
} from "../src/services/token-format.js";

describe("token format", () => {
  it("issues wsg_-prefixed tokens of 40 base62 characters that pass their own checksum", () => {
    const tokens = Array.from({ length: 200 }, generateToken);
    for (const token of tokens) {
      expect(token).toMatch(/^wsg_[0-9A-Za-z]{36}$/);
      expect(isWellFormedToken(token)).toBe(true);
    }
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it("refuses a token with any single character changed (checksum)", () => {
    const token = generateToken();
    let refused = 0;
    for (let i = TOKEN_PREFIX.length; i < token.length; i++) {
      const replacement = token[i] === "a" ? "b" : "a";
      const tampered = token.slice(0, i) + replacement + token.slice(i + 1);
      if (!isWellFormedToken(tampered)) refused++;
    }
    expect(refused).toBe(token.length - TOKEN_PREFIX.length);
  });

  it.each([
    ["empty", ""],
    ["other prefix", "ghp_0123456789abcdefghijklmnopqrstuvwxyz"],
    ["too short", "wsg_abc"],
    ["too long", `${"wsg_"}${"a".repeat(40)}`],
    ["non-base62", `wsg_${"-".repeat(36)}`],
  ])("refuses a malformed token: %s", (_name, token) => {
    expect(isWellFormedToken(token)).toBe(false);
  });

  it("hashes with sha256 to 64 hex characters, never echoing the token", () => {
    const token = generateToken();
    const hash = hashToken(token);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(token.slice(4, 12));
    expect(hashToken(token)).toBe(hash);
  });

  it.each([
    ["Bearer abc", "abc"],
    ["bearer abc", "abc"],
    ["Bearer   abc ", "abc"],
    ["Basic abc", null],
    ["Bearer", null],
    ["Bearer a b", null],
    [undefined, null],
  ])("reads the token of Authorization %j", (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });
});
