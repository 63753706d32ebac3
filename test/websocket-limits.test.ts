/**
 * graphql-ws hygiene (src/graphql/socket-limits.ts, src/graphql/limits.ts through yoga's envelop):
 * operations per socket and sockets per token at n and n + 1 (4429 with a short reason), and
 * documents refused as error messages on a socket that stays open, never a 4500 close.
 *
 * Spoken over a raw `ws` socket in the graphql-transport-ws protocol, so that every message and
 * the close code and reason are seen exactly as sent.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  TOO_MANY_SOCKETS_REASON,
  TOO_MANY_SUBSCRIPTIONS_REASON,
} from "../src/graphql/socket-limits.js";
import { embeddedDatabase } from "./kit/database.js";
import { type SeededUser, seedUser, workspaceRow } from "./kit/seed.js";
import { useServer } from "./kit/server.js";
import { waitFor } from "./kit/wait.js";

interface Message {
  type: string;
  id?: string;
  payload?: unknown;
}

/** A graphql-transport-ws socket: every message received, and how it closed. */
class Socket {
  readonly messages: Message[] = [];
  closed: { code: number; reason: string } | undefined;
  private readonly ws: WebSocket;
  private readonly opened: Promise<void>;

  constructor(url: string) {
    this.ws = new WebSocket(`${url.replace(/^http/, "ws")}/graphql`, "graphql-transport-ws");
    this.ws.on("message", (data) => this.messages.push(JSON.parse(String(data)) as Message));
    this.ws.on("close", (code, reason) => {
      this.closed = { code, reason: String(reason) };
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve());
      this.ws.once("error", reject);
    });
  }

  /** Sends connection_init; resolves to true on connection_ack, false when the socket closes. */
  async init(token: string): Promise<boolean> {
    await this.opened;
    this.send({ type: "connection_init", payload: { authorization: `Bearer ${token}` } });
    return waitFor(
      () =>
        this.messages.some((m) => m.type === "connection_ack") ? true : this.closed && "closed",
      { timeoutMs: 10_000, what: "connection_ack or close" },
    ).then((result) => result === true);
  }

  subscribe(id: string, query: string, variables: Record<string, unknown> = {}): void {
    this.send({ type: "subscribe", id, payload: { query, variables } });
  }

  /** The first message for operation `id` (next or error). */
  first(id: string): Promise<Message> {
    return waitFor(() => this.messages.find((m) => m.id === id), {
      timeoutMs: 10_000,
      what: `a message for operation ${id}`,
    });
  }

  /** How the server closed the socket. */
  close(): Promise<{ code: number; reason: string }> {
    return waitFor(() => this.closed, { timeoutMs: 10_000, what: "the socket to close" });
  }

  end(): void {
    this.ws.close();
  }

  private send(message: Message): void {
    this.ws.send(JSON.stringify(message));
  }
}

const WATCH = "subscription ($id: ID!) { workspaceStatus(id: $id) { id status } }";
const VIEWER = "{ viewer { email } }";

/** The GraphQL error codes in a next or error message. */
function codes(message: Message): unknown[] {
  const payload = message.payload as
    | { errors?: { extensions?: { code?: unknown } }[] }
    | { extensions?: { code?: unknown } }[];
  const errors = Array.isArray(payload) ? payload : (payload.errors ?? []);
  return errors.map((error) => error.extensions?.code);
}

const sockets: Socket[] = [];
function connect(url: string): Socket {
  const socket = new Socket(url);
  sockets.push(socket);
  return socket;
}

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.end();
});

describe("graphql-ws limits", () => {
  const server = useServer(embeddedDatabase, {
    MAX_SUBSCRIPTIONS_PER_SOCKET: "2",
    MAX_SOCKETS_PER_TOKEN: "2",
  });
  let user: SeededUser;
  let workspaceIds: string[];

  beforeAll(async () => {
    user = await seedUser(server.services, "ws-limits");
    const rows = await server.database.prisma.workspace.createManyAndReturn({
      data: [
        workspaceRow(user.project.id),
        workspaceRow(user.project.id),
        workspaceRow(user.project.id),
      ],
    });
    workspaceIds = rows.map((row) => row.id);
  });

  it("subscriptions per socket: 2 live, a 3rd closes the socket with 4429", async () => {
    const socket = connect(server.url);
    expect(await socket.init(user.token)).toBe(true);
    socket.subscribe("1", WATCH, { id: workspaceIds[0] });
    socket.subscribe("2", WATCH, { id: workspaceIds[1] });
    expect((await socket.first("1")).type).toBe("next");
    expect((await socket.first("2")).type).toBe("next");

    socket.subscribe("3", WATCH, { id: workspaceIds[2] });
    expect(await socket.close()).toEqual({ code: 4429, reason: TOO_MANY_SUBSCRIPTIONS_REASON });
    expect(socket.messages.filter((m) => m.id === "3" && m.type === "next")).toEqual([]);
  });

  it("a finished operation frees its place on the socket", async () => {
    const socket = connect(server.url);
    expect(await socket.init(user.token)).toBe(true);
    socket.subscribe("live", WATCH, { id: workspaceIds[0] });
    await socket.first("live");
    for (const id of ["q1", "q2", "q3"]) {
      socket.subscribe(id, VIEWER);
      expect((await socket.first(id)).type).toBe("next");
    }
    expect(socket.closed).toBeUndefined();
  });

  it("sockets per token: 2 acknowledged, a 3rd closed with 4429; a closed one frees its place", async () => {
    const other = await seedUser(server.services, "ws-limits-other");
    const [a, b, c] = [connect(server.url), connect(server.url), connect(server.url)];
    expect(await a.init(user.token)).toBe(true);
    expect(await b.init(user.token)).toBe(true);
    expect(await c.init(user.token)).toBe(false);
    expect(await c.close()).toEqual({ code: 4429, reason: TOO_MANY_SOCKETS_REASON });
    // Another token is counted on its own.
    expect(await connect(server.url).init(other.token)).toBe(true);

    a.end();
    await waitFor(async () => connect(server.url).init(user.token), {
      timeoutMs: 10_000,
      what: "a place freed by the closed socket",
    });
    expect(b.closed).toBeUndefined();
  });

  it("a 10,000-deep selection is an error message; the socket stays open", async () => {
    const socket = connect(server.url);
    expect(await socket.init(user.token)).toBe(true);
    socket.subscribe("deep", `${"{ viewer ".repeat(10_000)}${"}".repeat(10_000)}`);
    const refused = await socket.first("deep");
    expect(refused.type).toBe("error");
    expect(codes(refused)).toEqual(["TOO_MANY_TOKENS"]);
    socket.subscribe("after", VIEWER);
    expect((await socket.first("after")).type).toBe("next");
    expect(socket.closed).toBeUndefined();
  });

  it("a deep subscription document is refused before it subscribes", async () => {
    const socket = connect(server.url);
    expect(await socket.init(user.token)).toBe(true);
    let nested = "id";
    for (let i = 0; i < 4; i++) nested = `project { workspaces { edges { node { ${nested} } } } }`;
    socket.subscribe("deep", `subscription ($id: ID!) { workspaceStatus(id: $id) { ${nested} } }`, {
      id: workspaceIds[0],
    });
    const refused = await socket.first("deep");
    expect(refused.type).toBe("error");
    expect(codes(refused)).toEqual(["QUERY_TOO_DEEP"]);
  });

  it("the cost limit applies to subscriptions too", async () => {
    const socket = connect(server.url);
    expect(await socket.init(user.token)).toBe(true);
    const page = (inner: string) =>
      `project { workspaces(first: 100) { edges { node { ${inner} } } } }`;
    socket.subscribe(
      "costly",
      `subscription ($id: ID!) { workspaceStatus(id: $id) { ${page(page("id"))} } }`,
      {
        id: workspaceIds[0],
      },
    );
    const refused = await socket.first("costly");
    expect(codes(refused)).toEqual(["QUERY_TOO_COMPLEX"]);
    expect((refused.payload as { data?: unknown }).data ?? null).toBeNull();
  });
});

describe("graphql-ws without the token limit", () => {
  const server = useServer(embeddedDatabase, { GRAPHQL_MAX_TOKENS: "0" });

  it("a 10,000-deep selection is still an error message, never a 4500 close", async () => {
    const { token } = await seedUser(server.services, "ws-no-tokens");
    const socket = connect(server.url);
    expect(await socket.init(token)).toBe(true);
    socket.subscribe("deep", `${"{ viewer ".repeat(10_000)}${"}".repeat(10_000)}`);
    const refused = await socket.first("deep");
    expect(refused.type).toBe("error");
    // The parser overflows its stack here; were it not to, the depth limit refuses the document.
    expect(["GRAPHQL_PARSE_FAILED", "QUERY_TOO_DEEP"]).toContain(codes(refused)[0]);
    socket.subscribe("after", VIEWER);
    expect((await socket.first("after")).type).toBe("next");
    expect(socket.closed).toBeUndefined();
  });
});
