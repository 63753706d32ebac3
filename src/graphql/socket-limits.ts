/**
 * What one caller may hold open over graphql-ws: sockets per token and operations in flight per
 * socket (each subscription costs memory for as long as it lives). Over a cap the socket is
 * closed with 4429 and a short fixed reason, like HTTP's 429.
 */
import type { WebSocket } from "ws";
import { bearerToken, hashToken } from "../services/token-format.js";

/** The close code over a cap (graphql-ws has none of its own for this; 4429 mirrors HTTP 429). */
export const TOO_MANY_CLOSE_CODE = 4429;
export const TOO_MANY_SOCKETS_REASON = "too many sockets for this token";
export const TOO_MANY_SUBSCRIPTIONS_REASON = "too many subscriptions on this socket";

export interface SocketLimits {
  /** Operations in flight (subscriptions included) on one socket; 0: no cap. */
  maxSubscriptionsPerSocket: number;
  /** Open, acknowledged sockets per token; 0: no cap. */
  maxSocketsPerToken: number;
}

/** Counts open sockets per token; a socket leaves the count when it closes. */
export class SocketQuota {
  /** sha256 of the token → its open sockets (the token itself is not kept). */
  readonly #open = new Map<string, Set<WebSocket>>();

  constructor(private readonly limits: SocketLimits) {}

  /**
   * Counts `socket` for the token in `authorization`, or closes it with 4429 and returns false
   * when the token already holds the most sockets allowed.
   */
  admit(authorization: string | undefined, socket: WebSocket): boolean {
    const token = bearerToken(authorization);
    if (token === null || this.limits.maxSocketsPerToken <= 0) return true;
    const key = hashToken(token);
    const sockets = this.#open.get(key) ?? new Set<WebSocket>();
    if (sockets.size >= this.limits.maxSocketsPerToken) {
      socket.close(TOO_MANY_CLOSE_CODE, TOO_MANY_SOCKETS_REASON);
      return false;
    }
    sockets.add(socket);
    this.#open.set(key, sockets);
    socket.once("close", () => {
      sockets.delete(socket);
      if (sockets.size === 0 && this.#open.get(key) === sockets) this.#open.delete(key);
    });
    return true;
  }

  /**
   * False, after closing the socket with 4429, when `inFlight` operations (graphql-ws's
   * `ctx.subscriptions`, the new one included) are over the per-socket cap.
   */
  allowOperation(inFlight: number, socket: WebSocket): boolean {
    const max = this.limits.maxSubscriptionsPerSocket;
    if (max <= 0 || inFlight <= max) return true;
    socket.close(TOO_MANY_CLOSE_CODE, TOO_MANY_SUBSCRIPTIONS_REASON);
    return false;
  }
}
