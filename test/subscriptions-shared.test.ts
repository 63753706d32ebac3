/**
 * Subscriptions executed once per event (src/graphql/shared-subscriptions.ts): WebSocket
 * subscribers of `workspaceStatus` with the same document, variables and access share one
 * execution, counted over /metrics (graphql_shared_subscription_executions_total, and
 * graphql_shared_subscription_events_total once per event however many share it). Never shared
 * across access: another user, or another scope of the same user, runs its own and sees only
 * what it may (Project.viewerRole tells them apart). A revoked token's socket ends while the
 * others sharing go on; a deletion ends every sharer with DELETED, then complete.
 *
 * Spoken over raw `ws` sockets in the graphql-transport-ws protocol: every message as sent.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { Workspace } from "../src/generated/prisma/client.js";
import { embeddedDatabase } from "./kit/database.js";
import { type SeededUser, seedUser, workspaceRow } from "./kit/seed.js";
import { useServer } from "./kit/server.js";
import { waitFor } from "./kit/wait.js";

interface Message {
  type: string;
  id?: string;
  payload?: unknown;
}

interface Watched {
  id: string;
  status: string;
  gitRef: string | null;
  project?: { viewerRole: string | null };
}

const WATCH = "subscription ($id: ID!) { workspaceStatus(id: $id) { id status gitRef } }";
const WATCH_ROLE =
  "subscription ($id: ID!) { workspaceStatus(id: $id) { id status project { viewerRole } } }";

const EXECUTIONS = "graphql_shared_subscription_executions_total";
const EVENTS = "graphql_shared_subscription_events_total";

/** A graphql-transport-ws socket with one subscription ("s"): what it received, how it closed. */
class Socket {
  readonly messages: Message[] = [];
  /** Every message as its text. */
  readonly texts: string[] = [];
  closed: { code: number; reason: string } | undefined;
  private readonly ws: WebSocket;
  private readonly opened: Promise<void>;

  constructor(url: string) {
    this.ws = new WebSocket(`${url.replace(/^http/, "ws")}/graphql`, "graphql-transport-ws");
    this.ws.on("message", (data) => {
      this.texts.push(String(data));
      this.messages.push(JSON.parse(String(data)) as Message);
    });
    this.ws.on("close", (code, reason) => {
      this.closed = { code, reason: String(reason) };
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve());
      this.ws.once("error", reject);
    });
  }

  async watch(token: string, query: string, id: string, operationId = "s"): Promise<void> {
    await this.opened;
    this.send({ type: "connection_init", payload: { authorization: `Bearer ${token}` } });
    await waitFor(() => this.messages.some((m) => m.type === "connection_ack"), {
      timeoutMs: 10_000,
      what: "connection_ack",
    });
    this.subscribe(operationId, query, { id });
  }

  subscribe(operationId: string, query: string, variables: Record<string, unknown>): void {
    this.send({ type: "subscribe", id: operationId, payload: { query, variables } });
  }

  complete(operationId: string): void {
    this.send({ type: "complete", id: operationId });
  }

  /** The workspaces received so far. */
  events(): Watched[] {
    return this.messages
      .map((m) => (m.payload as { data?: { workspaceStatus?: Watched } } | undefined)?.data)
      .flatMap((data) => (data?.workspaceStatus ? [data.workspaceStatus] : []));
  }

  errors(): unknown[] {
    return this.messages.filter(
      (m) =>
        m.type === "error" || (m.type === "next" && (m.payload as { errors?: unknown }).errors),
    );
  }

  /** Waits until `count` events arrived. */
  async received(count: number): Promise<Watched[]> {
    await waitFor(() => this.events().length >= count || this.errors().length > 0, {
      timeoutMs: 15_000,
      what: `${count} events (got ${JSON.stringify(this.events())})`,
    });
    expect(this.errors()).toEqual([]);
    return this.events();
  }

  end(): void {
    this.ws.close();
  }

  private send(message: Message): void {
    this.ws.send(JSON.stringify(message));
  }
}

const sockets: Socket[] = [];
function socket(url: string): Socket {
  const opened = new Socket(url);
  sockets.push(opened);
  return opened;
}

afterEach(() => {
  for (const opened of sockets.splice(0)) opened.end();
});

/** The value of one unlabelled metric of /metrics. */
async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((row) => row.startsWith(`${name} `));
  return Number(line?.split(" ")[1] ?? Number.NaN);
}

describe("subscriptions executed once per event", () => {
  const server = useServer(embeddedDatabase);
  let owner: SeededUser;

  beforeAll(async () => {
    owner = await seedUser(server.services, "shared-subs");
  });

  /** A running workspace no engine touches; `change` commits a new version (one event). */
  async function workspace() {
    const row = await server.database.prisma.workspace.create({
      data: workspaceRow(owner.project.id),
    });
    let current: Workspace = row;
    return {
      id: row.id,
      async change(gitRef: string) {
        const changed = await server.services.status.write(current, { gitRef });
        if (!changed) throw new Error("lost the compare-and-set");
        current = changed;
      },
    };
  }

  it("N sockets of one token with the same document share one execution and one per event", async () => {
    const watched = await workspace();
    const n = 10;
    const executions = await metric(server.url, EXECUTIONS);
    const events = await metric(server.url, EVENTS);
    const watchers = Array.from({ length: n }, () => socket(server.url));
    // One after the other: each joins the execution the first one started.
    for (const watcher of watchers) {
      await watcher.watch(owner.token, WATCH, watched.id);
      await watcher.received(1);
    }
    await watched.change("one");
    await watched.change("two");
    for (const watcher of watchers) {
      expect((await watcher.received(3)).map((event) => event.gitRef)).toEqual([
        null,
        "one",
        "two",
      ]);
    }
    expect((await metric(server.url, EXECUTIONS)) - executions).toBe(1);
    // The snapshot and two changes, executed once each for the n sockets.
    expect((await metric(server.url, EVENTS)) - events).toBe(3);

    // A late joiner starts from the workspace as it is now, never an older version.
    const late = socket(server.url);
    await late.watch(owner.token, WATCH, watched.id);
    expect((await late.received(1)).map((event) => event.gitRef)).toEqual(["two"]);
    expect((await metric(server.url, EXECUTIONS)) - executions).toBe(1);
  });

  it("sharers get byte-identical next messages but for the id; each socket's own messages stay its own", async () => {
    const watched = await workspace();
    // Operation ids JSON must escape, as graphql-ws's JSON.stringify does.
    const ids = ["a", 'q"uote', "back\\slash", "\u00e9\n"];
    const watchers = ids.map(() => socket(server.url));
    for (const [i, watcher] of watchers.entries()) {
      await watcher.watch(owner.token, WATCH, watched.id, ids[i]);
      await watcher.received(1);
    }
    await watched.change("one");
    await watched.change("two");
    for (const watcher of watchers) await watcher.received(3);
    // Every text is graphql-ws's serialization of what it carries (key order, escaping).
    for (const watcher of watchers)
      for (const [i, text] of watcher.texts.entries())
        expect(text).toBe(JSON.stringify(watcher.messages[i]));
    const nexts = (watcher: Socket) => watcher.texts.filter((text) => text.includes('"next"'));
    const withoutId = (text: string, id: string) => {
      const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
      expect(text.startsWith(prefix)).toBe(true);
      return text.slice(prefix.length);
    };
    const first = nexts(watchers[0] as Socket).map((text) => withoutId(text, "a"));
    expect(first).toHaveLength(3);
    for (const [i, watcher] of watchers.entries())
      expect(nexts(watcher).map((text) => withoutId(text, ids[i] as string))).toEqual(first);

    // One socket's own operations: a refused one errs on it alone, a completed one stops on it
    // alone (the client's complete is not answered), the others go on.
    const [own, ...others] = watchers as [Socket, ...Socket[]];
    own.subscribe("bad", "subscription { nope }", {});
    await waitFor(() => own.messages.some((m) => m.type === "error" && m.id === "bad"), {
      what: "the error of operation bad",
    });
    own.complete("a");
    // Messages of a socket are handled in order: once this one is answered, "a" is complete.
    own.subscribe("bad2", "subscription { nope }", {});
    await waitFor(() => own.messages.some((m) => m.type === "error" && m.id === "bad2"), {
      what: "the error of operation bad2",
    });
    await watched.change("three");
    for (const other of others) await other.received(4);
    expect(own.events().map((event) => event.gitRef)).toEqual([null, "one", "two"]);
    for (const other of others) {
      expect(other.messages.filter((m) => m.type === "error")).toEqual([]);
      const own = other.messages.filter((m) => m.type !== "connection_ack");
      expect(own.every((m) => m.id === ids[watchers.indexOf(other)])).toBe(true);
    }
    // The deletion: DELETED, then each socket's own complete with its own id.
    expect((await server.services.workspaces.delete(owner.user.id, watched.id)).ok).toBe(true);
    for (const [i, other] of others.entries()) {
      await waitFor(() => other.messages.some((m) => m.type === "complete"), { what: "complete" });
      expect(other.texts.at(-1)).toBe(JSON.stringify({ id: ids[i + 1], type: "complete" }));
    }
    expect(own.messages.some((m) => m.type === "complete")).toBe(false);
  });

  it("other users, and other scopes of one user, never share: each sees only its own access", async () => {
    const watched = await workspace();
    const viewer = await seedUser(server.services, "shared-subs-viewer");
    const stranger = await seedUser(server.services, "shared-subs-stranger");
    const added = await server.services.members.add(owner.user.id, owner.project.id, {
      email: viewer.user.email,
      role: "viewer",
    });
    expect(added.ok).toBe(true);
    // The owner's token capped at viewer: the same user with less access.
    const capped = await server.services.tokens.issue(owner.user.id, { role: "viewer" });

    const executions = await metric(server.url, EXECUTIONS);
    const asOwner = socket(server.url);
    const asViewer = socket(server.url);
    const asCapped = socket(server.url);
    const asStranger = socket(server.url);
    await asOwner.watch(owner.token, WATCH_ROLE, watched.id);
    await asOwner.received(1);
    await asViewer.watch(viewer.token, WATCH_ROLE, watched.id);
    await asCapped.watch(capped.token, WATCH_ROLE, watched.id);
    await asStranger.watch(stranger.token, WATCH_ROLE, watched.id);

    const role = async (watcher: Socket) => (await watcher.received(1))[0]?.project?.viewerRole;
    expect(await role(asOwner)).toBe("ADMIN");
    expect(await role(asViewer)).toBe("VIEWER");
    expect(await role(asCapped)).toBe("VIEWER");
    // Not a member: the missing workspace's answer, though the owner's execution runs.
    await waitFor(() => asStranger.errors().length > 0, { what: "the stranger's error" });
    expect(asStranger.events()).toEqual([]);
    expect(JSON.stringify(asStranger.messages)).toContain("NOT_FOUND");
    expect((await metric(server.url, EXECUTIONS)) - executions).toBe(4);

    await watched.change("after");
    for (const watcher of [asOwner, asViewer, asCapped]) {
      expect((await watcher.received(2)).map((event) => event.status)).toEqual([
        "RUNNING",
        "RUNNING",
      ]);
    }
    expect((await asOwner.received(2))[1]?.project?.viewerRole).toBe("ADMIN");
    expect((await asViewer.received(2))[1]?.project?.viewerRole).toBe("VIEWER");
  });

  it("a revoked token's socket ends while the others sharing its execution go on", async () => {
    const watched = await workspace();
    const second = await server.services.tokens.issue(owner.user.id);
    const executions = await metric(server.url, EXECUTIONS);
    const kept = socket(server.url);
    const revoked = socket(server.url);
    await kept.watch(owner.token, WATCH, watched.id);
    await kept.received(1);
    await revoked.watch(second.token, WATCH, watched.id);
    await revoked.received(1);
    // Two tokens with the same access: one execution.
    expect((await metric(server.url, EXECUTIONS)) - executions).toBe(1);

    expect((await server.services.tokens.revoke(second.token)).ok).toBe(true);
    await waitFor(() => revoked.closed, { what: "the revoked socket to close" });
    expect(revoked.closed).toEqual({ code: 4403, reason: "token revoked" });

    await watched.change("after revoke");
    expect((await kept.received(2)).map((event) => event.gitRef)).toEqual([null, "after revoke"]);
    expect(revoked.events().map((event) => event.gitRef)).toEqual([null]);
    expect(kept.closed).toBeUndefined();
  });

  it("a removed member's shared streams all end; another user's on the same workspace goes on", async () => {
    const watched = await workspace();
    const member = await seedUser(server.services, "shared-subs-member");
    const added = await server.services.members.add(owner.user.id, owner.project.id, {
      email: member.user.email,
      role: "viewer",
    });
    expect(added.ok).toBe(true);
    const executions = await metric(server.url, EXECUTIONS);
    const asMember = [socket(server.url), socket(server.url)];
    for (const watcher of asMember) {
      await watcher.watch(member.token, WATCH, watched.id);
      await watcher.received(1);
    }
    const asOwner = socket(server.url);
    await asOwner.watch(owner.token, WATCH, watched.id);
    await asOwner.received(1);
    expect((await metric(server.url, EXECUTIONS)) - executions).toBe(2);

    const removed = await server.services.members.remove(
      owner.user.id,
      owner.project.id,
      member.user.id,
    );
    expect(removed.ok).toBe(true);
    for (const watcher of asMember) {
      await waitFor(() => watcher.messages.some((m) => m.type === "complete"), {
        what: "the removed member's stream to complete",
      });
    }
    await watched.change("after removal");
    expect((await asOwner.received(2)).map((event) => event.gitRef)).toEqual([
      null,
      "after removal",
    ]);
    for (const watcher of asMember) {
      expect(watcher.events().map((event) => event.gitRef)).toEqual([null]);
    }
  });

  it("a deletion ends every sharer with DELETED, then complete; a new watch is refused", async () => {
    const watched = await workspace();
    const watchers = [socket(server.url), socket(server.url), socket(server.url)];
    for (const watcher of watchers) {
      await watcher.watch(owner.token, WATCH, watched.id);
      await watcher.received(1);
    }
    expect((await server.services.workspaces.delete(owner.user.id, watched.id)).ok).toBe(true);
    for (const watcher of watchers) {
      await waitFor(() => watcher.messages.some((m) => m.type === "complete"), {
        what: "complete",
      });
      expect(watcher.events().map((event) => event.status)).toEqual(["RUNNING", "DELETED"]);
      expect(watcher.messages.at(-1)?.type).toBe("complete");
    }
    const after = socket(server.url);
    await after.watch(owner.token, WATCH, watched.id);
    await waitFor(() => after.errors().length > 0, { what: "an error" });
    expect(JSON.stringify(after.messages)).toContain("NOT_FOUND");
  });
});
