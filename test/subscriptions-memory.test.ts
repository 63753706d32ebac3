/**
 * What an open workspaceStatus subscription holds, counted rather than timed (issue 20): one
 * token entry per WebSocket (not one per subscription, no AbortSignal), no timer per socket, one
 * bus listener per watched workspace, and all of it released when the socket closes. And the
 * status watch (a plain iterator object, not an async generator) keeps the watch contract: the
 * snapshot, newer versions only, a resync re-read, DELETED last, and a reader waiting for the
 * next change is answered at once by return() or an abort, its bus listener gone.
 */
import { beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { Workspace } from "../src/generated/prisma/client.js";
import { type BusEvent, LocalStatusBus } from "../src/services/status-bus.js";
import { type WatchedWorkspace, WorkspaceStatusService } from "../src/services/workspace-status.js";
import { databaseTargets } from "./kit/database.js";
import { type SeededUser, seedUser, workspaceRow } from "./kit/seed.js";
import { useServer } from "./kit/server.js";
import { waitFor } from "./kit/wait.js";

const WATCH = "subscription ($id: ID!) { workspaceStatus(id: $id) { id status } }";

/** A graphql-transport-ws socket subscribed to one workspace; resolves on its first event. */
async function subscribe(url: string, token: string, id: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/graphql`, "graphql-transport-ws");
  const first = new Promise<void>((resolve, reject) => {
    ws.on("message", (data) => {
      const message = JSON.parse(String(data)) as { type: string; payload?: unknown };
      if (message.type === "connection_ack") {
        const payload = { query: WATCH, variables: { id } };
        ws.send(JSON.stringify({ type: "subscribe", id: "s", payload }));
      } else if (message.type === "next") {
        const data = (message.payload as { data?: { workspaceStatus?: { id: string } } }).data;
        if (data?.workspaceStatus?.id === id) resolve();
        else reject(new Error(`unexpected first event ${JSON.stringify(message.payload)}`));
      } else if (message.type !== "ping" && message.type !== "pong") {
        reject(new Error(`unexpected ${JSON.stringify(message)}`));
      }
    });
    ws.once("close", (code, reason) => reject(new Error(`closed ${code} ${String(reason)}`)));
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  ws.send(
    JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } }),
  );
  await first;
  return ws;
}

/** Ref'd timers keeping the process alive (graphql-ws's own keep-alive was one per socket). */
function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
}

describe.each(databaseTargets)("subscription state per socket ($name)", ({ open, skip }) => {
  describe.skipIf(skip)("", () => {
    // One token opens every socket here (the bench's shape): no per-token socket cap.
    const server = useServer(open, { MAX_SOCKETS_PER_TOKEN: "0" });
    let owner: SeededUser;

    beforeAll(async () => {
      owner = await seedUser(server.services, "subscriptions-memory");
    });

    const running = async (): Promise<Workspace> =>
      server.database.prisma.workspace.create({ data: workspaceRow(owner.project.id) });

    it("N sockets watching N workspaces: one token entry each, no timer each, all released on close", async () => {
      const n = 30;
      const workspaces = await Promise.all(Array.from({ length: n }, running));
      const held = server.services.revocations.heldCount();
      const timers = activeTimers();

      const sockets: WebSocket[] = [];
      for (const workspace of workspaces) {
        sockets.push(await subscribe(server.url, owner.token, workspace.id));
      }
      // One entry per socket for its token (the subscriptions add none of their own).
      expect(server.services.revocations.heldCount() - held).toBe(n);
      // graphql-ws's connection_init wait (3 s, one per socket) fires and goes; a timer per
      // socket for its life (graphql-ws's keep-alive was one) would stay. A few unrelated timers
      // may come and go.
      await waitFor(() => activeTimers() - timers < n / 3, {
        what: `no ref'd timer per socket (${activeTimers() - timers} more than before)`,
      });

      for (const ws of sockets) ws.close();
      await waitFor(() => server.services.revocations.heldCount() === held, {
        what: "every socket's token entry released",
      });
    });

    describe("the status watch", () => {
      const watcher = () => {
        const bus = new LocalStatusBus();
        return { bus, status: new WorkspaceStatusService(server.database.prisma, bus) };
      };
      const changed = (workspace: Workspace, version: number): BusEvent => ({
        kind: "changed",
        workspace: { ...workspace, version },
      });

      it("one bus listener per watched workspace, gone when the watches end", async () => {
        const { bus, status } = watcher();
        const workspaces = await Promise.all(Array.from({ length: 5 }, running));
        const watches = workspaces.map((workspace) =>
          status.watch(workspace.id, new AbortController().signal),
        );
        const firsts = await Promise.all(watches.map((watch) => watch.next()));
        expect(firsts.map((step) => (step.value as WatchedWorkspace).id)).toEqual(
          workspaces.map((workspace) => workspace.id),
        );
        expect(bus.ids().sort()).toEqual(workspaces.map((workspace) => workspace.id).sort());
        await Promise.all(watches.map((watch) => watch.return(undefined)));
        expect(bus.ids()).toEqual([]);
      });

      it("newer versions only, in order; a resync re-reads; the row gone ends with DELETED as last seen", async () => {
        const { bus, status } = watcher();
        const workspace = await running();
        const watch = status.watch(workspace.id, new AbortController().signal);
        const v = workspace.version;
        expect((await watch.next()).value).toMatchObject({ id: workspace.id, version: v });

        bus.deliver(workspace.id, changed(workspace, v + 2));
        bus.deliver(workspace.id, changed(workspace, v + 1)); // overtaken: not news
        bus.deliver(workspace.id, changed(workspace, v + 2)); // a duplicate
        bus.deliver(workspace.id, changed(workspace, v + 3));
        expect((await watch.next()).value).toMatchObject({ version: v + 2 });
        expect((await watch.next()).value).toMatchObject({ version: v + 3 });

        // Written without an announcement: only a resync finds it.
        await server.database.prisma.workspace.update({
          where: { id: workspace.id },
          data: { version: v + 7, gitRef: "resynced" },
        });
        bus.deliver(workspace.id, { kind: "resync" });
        expect((await watch.next()).value).toMatchObject({ version: v + 7, gitRef: "resynced" });

        await server.database.prisma.workspace.delete({ where: { id: workspace.id } });
        bus.deliver(workspace.id, { kind: "resync" });
        expect((await watch.next()).value).toMatchObject({
          id: workspace.id,
          version: v + 7,
          gitRef: "resynced",
          status: "deleted",
        });
        expect(await watch.next()).toEqual({ done: true, value: undefined });
        expect(bus.ids()).toEqual([]);
      });

      it("a reader waiting for the next change is answered at once by return() or an abort", async () => {
        const { bus, status } = watcher();
        const [returned, aborted] = await Promise.all([running(), running()]);
        const controller = new AbortController();
        const byReturn = status.watch(returned.id, new AbortController().signal);
        const byAbort = status.watch(aborted.id, controller.signal);
        await byReturn.next();
        await byAbort.next();

        const waitingForReturn = byReturn.next();
        const waitingForAbort = byAbort.next();
        await byReturn.return(undefined);
        controller.abort();
        expect(await waitingForReturn).toEqual({ done: true, value: undefined });
        expect(await waitingForAbort).toEqual({ done: true, value: undefined });
        expect(bus.ids()).toEqual([]);
        // Nothing is delivered after the end.
        bus.deliver(returned.id, changed(returned, 5));
        expect(await byReturn.next()).toEqual({ done: true, value: undefined });
      });

      it("a workspace marked for deletion ends the stream with DELETED, then done", async () => {
        const { bus, status } = watcher();
        const workspace = await running();
        const watch = status.watch(workspace.id, new AbortController().signal);
        await watch.next();
        bus.deliver(workspace.id, {
          kind: "changed",
          workspace: { ...workspace, version: 1, desiredState: "deleted" },
        });
        expect((await watch.next()).value).toMatchObject({ version: 1, status: "deleted" });
        expect(await watch.next()).toEqual({ done: true, value: undefined });
        expect(bus.ids()).toEqual([]);
      });
    });
  });
});
