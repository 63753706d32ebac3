import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { crc32 } from "node:zlib";

/**
 * API tokens: `wsg_` + 30 random base62 characters (178 bits) + a 6-character base62 CRC32 of
 * them. The checksum lets a mistyped or made-up token be refused without a database query;
 * only the sha256 of the whole token is stored.
 */
export const TOKEN_PREFIX = "wsg_";
const BODY_LENGTH = 30;
const CHECKSUM_LENGTH = 6;
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const TOKEN_PATTERN = new RegExp(
  `^${TOKEN_PREFIX}[0-9A-Za-z]{${BODY_LENGTH}}[0-9A-Za-z]{${CHECKSUM_LENGTH}}$`,
);
/** How much of a token operators see to tell tokens apart. */
export const VISIBLE_PREFIX_LENGTH = TOKEN_PREFIX.length + 8;

export function generateToken(): string {
  let body = "";
  // Bytes ≥ 248 are dropped so that every character is equally likely (248 = 4 × 62).
  while (body.length < BODY_LENGTH) {
    for (const byte of randomBytes(BODY_LENGTH)) {
      if (byte < 248 && body.length < BODY_LENGTH) body += ALPHABET[byte % 62];
    }
  }
  return `${TOKEN_PREFIX}${body}${checksum(body)}`;
}

/** True when the token has the right shape and checksum; says nothing about whether it exists. */
export function isWellFormedToken(token: string): boolean {
  if (!TOKEN_PATTERN.test(token)) return false;
  const body = token.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + BODY_LENGTH);
  const expected = Buffer.from(checksum(body));
  const actual = Buffer.from(token.slice(TOKEN_PREFIX.length + BODY_LENGTH));
  return timingSafeEqual(expected, actual);
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function checksum(body: string): string {
  let value = crc32(body);
  let out = "";
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = ALPHABET[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/** The token of an `Authorization: Bearer <token>` header (RFC 6750), or null. */
export function bearerToken(header: string | undefined | null): string | null {
  const match = /^Bearer +([^\s]+) *$/i.exec(header ?? "");
  return match?.[1] ?? null;
}

const CHALLENGE = 'Bearer realm="workspace-gateway"';

/**
 * How a request without a valid token is refused (RFC 6750), the same through REST and GraphQL:
 * the message, and the WWW-Authenticate challenge, which says `invalid_token` when the header
 * did try Bearer auth.
 */
export function authenticationRefusal(authorization: string | undefined | null): {
  message: string;
  challenge: string;
} {
  return /^bearer(\s|$)/i.test(authorization ?? "")
    ? { message: "invalid or revoked token", challenge: `${CHALLENGE}, error="invalid_token"` }
    : {
        message: "authentication required: send Authorization: Bearer <token>",
        challenge: CHALLENGE,
      };
}
