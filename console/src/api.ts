import { type Client, createClient } from "graphql-ws";
import type { TypedDocumentString } from "../generated/graphql.js";

/** A GraphQL or transport failure; `code` is the error's `extensions.code` when it has one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

interface Response<R> {
  data?: R | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** The page's own origin and path: works wherever the gateway serves it. */
function endpoint(): URL {
  return new URL("graphql", location.href);
}

/** One query or mutation over HTTP with the token. */
export async function request<R, V>(
  token: string,
  document: TypedDocumentString<R, V>,
  variables: V,
): Promise<R> {
  let response: globalThis.Response;
  try {
    response = await fetch(endpoint(), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/json",
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ query: document.toString(), variables }),
    });
  } catch {
    throw new ApiError("The gateway cannot be reached. Check the connection and try again.");
  }
  const body = (await response.json().catch(() => null)) as Response<R> | null;
  const error = body?.errors?.[0];
  if (error) throw new ApiError(error.message, error.extensions?.code);
  if (!body?.data) throw new ApiError(`The gateway answered HTTP ${response.status}.`);
  return body.data;
}

export type SocketState = "connecting" | "live" | "reconnecting" | "refused";

/** graphql-ws closes with 4403 when connection_init carries a bad token. */
export const TOKEN_REFUSED = 4403;

function closeCode(event: unknown): number | undefined {
  return typeof event === "object" && event !== null && "code" in event
    ? Number((event as { code: unknown }).code)
    : undefined;
}

export interface Socket {
  client: Client;
  /** Closes for good (a new token, or forgetting this one); no state is reported after it. */
  close(): void;
}

/** The page's one WebSocket: opened at once, reconnecting (backing off) until the token is refused. */
export function openSocket(token: string, onState: (state: SocketState) => void): Socket {
  const url = endpoint();
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  let disposed = false;
  const client = createClient({
    url: url.href,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    onNonLazyError: () => {},
    // Pings notice a dead connection that never said goodbye.
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    retryWait: (retries) =>
      new Promise((resolve) =>
        setTimeout(resolve, Math.min(500 * 2 ** retries, 8_000) + Math.random() * 500),
      ),
    shouldRetry: (event) => closeCode(event) !== TOKEN_REFUSED,
    on: {
      connecting: (isRetry) => onState(isRetry ? "reconnecting" : "connecting"),
      connected: () => onState("live"),
      closed: (event) => {
        if (disposed) return;
        onState(closeCode(event) === TOKEN_REFUSED ? "refused" : "reconnecting");
      },
    },
  });
  return {
    client,
    close() {
      disposed = true;
      void client.dispose();
    },
  };
}

export interface Sink<R> {
  next(data: R): void;
  error(error: ApiError): void;
  complete(): void;
}

/** A typed subscription on the page's socket; returns its unsubscribe. */
export function subscribe<R, V extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentString<R, V>,
  variables: V,
  sink: Sink<R>,
): () => void {
  return client.subscribe<R>(
    { query: document.toString(), variables },
    {
      next: (result) => {
        const error = result.errors?.[0];
        if (error) sink.error(new ApiError(error.message, String(error.extensions?.code ?? "")));
        else if (result.data) sink.next(result.data);
      },
      error: (error) => {
        const code = closeCode(error);
        const first = Array.isArray(error) ? (error[0] as { message?: string }) : undefined;
        sink.error(
          code === TOKEN_REFUSED
            ? new ApiError("The token was refused (close 4403).", "UNAUTHENTICATED")
            : new ApiError(first?.message ?? "The live updates stopped."),
        );
      },
      complete: () => sink.complete(),
    },
  );
}
