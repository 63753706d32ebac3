// Issue 18: signed webhooks. Deliveries are verified by the `standardwebhooks` package (the
// independent check); a receiver failing twice gets the event 3 times on a shortened schedule;
// a private address is refused by default (no request reaches it); a process killed (-9) while
// a delivery is in flight delivers it after its restart; another user's project or webhook
// reads as missing; a developer may not manage webhooks.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WEBHOOKS_PER_PROJECT } from "../src/services/webhooks.js";
import { embeddedDatabase } from "./kit/database.js";
import { killProcessesAfterAll, runCli, startServerProcess } from "./kit/processes.js";
import { restClient } from "./kit/rest.js";
import { seedUser } from "./kit/seed.js";
import { useServer } from "./kit/server.js";
import { waitFor } from "./kit/wait.js";

killProcessesAfterAll();

interface Received {
  headers: Record<string, string>;
  body: string;
}

/**
 * A webhook receiver on 127.0.0.1. `answer` decides each request's fate: a status to answer, or
 * "hold" to keep the request open (never answered).
 */
async function startReceiver(answer: (index: number) => number | "hold") {
  const received: Received[] = [];
  const held: ServerResponse[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => {
      const index = received.length;
      received.push({ headers: request.headers as Record<string, string>, body });
      const fate = answer(index);
      if (fate === "hold") held.push(response);
      else response.writeHead(fate).end("x".repeat(3000));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  afterAll(async () => {
    for (const response of held) response.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${port}/hook`, received };
}

const createdOnly = { event_types: ["workspace.created"] };

describe("webhook deliveries with private networks allowed (embedded database)", () => {
  const server = useServer(embeddedDatabase, {
    IDLE_TIMEOUT_MINUTES: "0",
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true",
    WEBHOOK_RETRY_SCHEDULE: "1,1",
  });

  it("each delivery is signed as Standard Webhooks says: standardwebhooks verifies it, and its body is the event", async () => {
    const receiver = await startReceiver(() => 200);
    const owner = await seedUser(server.services, "hooks-sign");
    const api = restClient(server.url);
    const auth = { token: owner.token };
    const created = await api.post(`/projects/${owner.project.id}/webhooks`, {
      ...auth,
      json: { url: receiver.url, description: "ci", ...createdOnly },
    });
    expect(created.status).toBe(201);
    expect(created.json.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(created.json).toMatchObject({
      url: receiver.url,
      event_types: ["workspace.created"],
      description: "ci",
      disabled_at: null,
    });
    const listed = await api.get(`/projects/${owner.project.id}/webhooks`, auth);
    expect(listed.json.webhooks).toHaveLength(1);
    expect(listed.json.webhooks[0].secret).toBeUndefined();

    const workspace = await api.post(`/projects/${owner.project.id}/workspaces`, {
      ...auth,
      json: { keep_active: true },
    });
    await waitFor(() => receiver.received.length >= 1, { what: "the delivery" });
    const [delivery] = receiver.received;
    const verified = new Webhook(created.json.secret).verify(
      delivery?.body ?? "",
      delivery?.headers ?? {},
    );
    const history = await api.get(`/workspaces/${workspace.json.id}/history`, auth);
    expect(verified).toEqual(history.json.events[0]);
    expect(verified).toMatchObject({ type: "workspace.created", workspace_id: workspace.json.id });
    // A wrong secret fails the same check: the signature is really checked.
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(24, 1).toString("base64")}`).verify(
        delivery?.body ?? "",
        delivery?.headers ?? {},
      ),
    ).toThrow();

    const attempts = await waitFor(async () => {
      const page = await api.get(`/webhooks/${created.json.id}/deliveries`, auth);
      return page.json.deliveries.length === 1 && page.json.deliveries;
    });
    expect(attempts[0]).toMatchObject({
      status_code: 200,
      error: null,
      next_retry_at: null,
      event_id: history.json.events[0].id,
    });
    // At most 1 KiB of the 3000-byte answer is kept.
    expect(attempts[0].response_body).toHaveLength(1024);
  }, 60_000);

  it("a receiver that fails twice, then succeeds, gets the event 3 times (WEBHOOK_RETRY_SCHEDULE=1,1), under one webhook-id", async () => {
    const receiver = await startReceiver((index) => (index < 2 ? 500 : 200));
    const owner = await seedUser(server.services, "hooks-retry");
    const api = restClient(server.url);
    const auth = { token: owner.token };
    const hook = await api.post(`/projects/${owner.project.id}/webhooks`, {
      ...auth,
      json: { url: receiver.url, ...createdOnly },
    });
    await api.post(`/projects/${owner.project.id}/workspaces`, {
      ...auth,
      json: { keep_active: true },
    });
    const attempts = await waitFor(
      async () => {
        const page = await api.get(`/webhooks/${hook.json.id}/deliveries`, auth);
        return page.json.deliveries.length === 3 && page.json.deliveries;
      },
      { what: "3 attempts" },
    );
    expect(attempts.map((a: { status_code: number }) => a.status_code)).toEqual([200, 500, 500]);
    expect(attempts[0].next_retry_at).toBeNull();
    expect(attempts[1].next_retry_at).not.toBeNull();
    expect(attempts[1].error).toBe("answered 500");
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    // Succeeded: the endpoint is not failing any more.
    const listed = await api.get(`/projects/${owner.project.id}/webhooks`, auth);
    expect(listed.json.webhooks[0]).toMatchObject({ failing_since: null, disabled_at: null });
  }, 60_000);

  it("410 Gone disables the endpoint, the list shows it, and a manual retry enables it and sends again", async () => {
    const receiver = await startReceiver((index) => (index === 0 ? 410 : 200));
    const owner = await seedUser(server.services, "hooks-gone");
    const api = restClient(server.url);
    const auth = { token: owner.token };
    const hook = await api.post(`/projects/${owner.project.id}/webhooks`, {
      ...auth,
      json: { url: receiver.url, ...createdOnly },
    });
    await api.post(`/projects/${owner.project.id}/workspaces`, {
      ...auth,
      json: { keep_active: true },
    });
    const disabled = await waitFor(async () => {
      const list = await api.get(`/projects/${owner.project.id}/webhooks`, auth);
      return list.json.webhooks[0].disabled_at !== null && list.json.webhooks[0];
    });
    expect(disabled.disabled_reason).toMatch(/410/);
    const [attempt] = (await api.get(`/webhooks/${hook.json.id}/deliveries`, auth)).json.deliveries;
    expect(attempt).toMatchObject({ status_code: 410, next_retry_at: null });
    const retried = await api.post(
      `/webhooks/${hook.json.id}/deliveries/${attempt.delivery_id}/retry`,
      auth,
    );
    expect(retried.status).toBe(202);
    await waitFor(() => receiver.received.length === 2, { what: "the retried delivery" });
    const list = await api.get(`/projects/${owner.project.id}/webhooks`, auth);
    expect(list.json.webhooks[0].disabled_at).toBeNull();
  }, 60_000);

  it(`a project holds ${WEBHOOKS_PER_PROJECT} webhooks; one more is 400; bad input is 400`, async () => {
    const owner = await seedUser(server.services, "hooks-cap");
    const api = restClient(server.url);
    const auth = { token: owner.token };
    const path = `/projects/${owner.project.id}/webhooks`;
    for (let i = 0; i < WEBHOOKS_PER_PROJECT; i++) {
      const made = await api.post(path, { ...auth, json: { url: `https://example.com/${i}` } });
      expect(made.status).toBe(201);
    }
    const over = await api.post(path, { ...auth, json: { url: "https://example.com/x" } });
    expect(over.status).toBe(400);
    expect(over.json.error).toBeDefined();
    for (const json of [
      { url: "ftp://example.com/" },
      { url: "not a url" },
      { url: "https://example.com/", event_types: ["workspace.exploded"] },
    ]) {
      const other = await seedUser(server.services, "hooks-bad");
      const bad = await api.post(`/projects/${other.project.id}/webhooks`, {
        token: other.token,
        json,
      });
      expect(bad.status).toBe(400);
    }
  }, 60_000);

  it("another user's project and webhook read as missing; a developer member gets 403", async () => {
    const owner = await seedUser(server.services, "hooks-owner");
    const stranger = await seedUser(server.services, "hooks-stranger");
    const developer = await seedUser(server.services, "hooks-dev");
    const api = restClient(server.url);
    const hook = await api.post(`/projects/${owner.project.id}/webhooks`, {
      token: owner.token,
      json: { url: "https://example.com/hook" },
    });
    const theirs = { token: stranger.token };
    const missing = "00000000-0000-4000-8000-000000000000";
    expect((await api.get(`/projects/${owner.project.id}/webhooks`, theirs)).status).toBe(404);
    expect(
      (
        await api.post(`/projects/${owner.project.id}/webhooks`, {
          ...theirs,
          json: { url: "https://example.com/" },
        })
      ).status,
    ).toBe(404);
    expect((await api.get(`/webhooks/${hook.json.id}/deliveries`, theirs)).status).toBe(404);
    expect(
      (await api.post(`/webhooks/${hook.json.id}/deliveries/${missing}/retry`, theirs)).status,
    ).toBe(404);
    expect((await api.delete(`/webhooks/${hook.json.id}`, theirs)).status).toBe(404);

    const added = await api.post(`/projects/${owner.project.id}/members`, {
      token: owner.token,
      json: { email: developer.user.email, role: "developer" },
    });
    expect(added.status).toBe(201);
    const dev = { token: developer.token };
    expect((await api.get(`/projects/${owner.project.id}/webhooks`, dev)).status).toBe(403);
    expect((await api.delete(`/webhooks/${hook.json.id}`, dev)).status).toBe(403);

    expect((await api.delete(`/webhooks/${hook.json.id}`, { token: owner.token })).status).toBe(
      204,
    );
    expect((await api.delete(`/webhooks/${hook.json.id}`, { token: owner.token })).status).toBe(
      404,
    );
  }, 60_000);
});

describe("webhook deliveries by default (private networks refused)", () => {
  const server = useServer(embeddedDatabase, { IDLE_TIMEOUT_MINUTES: "0" });

  it("an endpoint on 127.0.0.1 is refused: the attempt is recorded with the reason, no request arrives", async () => {
    const receiver = await startReceiver(() => 200);
    const owner = await seedUser(server.services, "hooks-ssrf");
    const api = restClient(server.url);
    const auth = { token: owner.token };
    for (const url of [receiver.url, receiver.url.replace("127.0.0.1", "localhost")]) {
      const hook = await api.post(`/projects/${owner.project.id}/webhooks`, {
        ...auth,
        json: { url, ...createdOnly },
      });
      expect(hook.status).toBe(201);
      await api.post(`/projects/${owner.project.id}/workspaces`, {
        ...auth,
        json: { keep_active: true },
      });
      const attempts = await waitFor(async () => {
        const page = await api.get(`/webhooks/${hook.json.id}/deliveries`, auth);
        return page.json.deliveries.length >= 1 && page.json.deliveries;
      });
      expect(attempts[0].status_code).toBeNull();
      expect(attempts[0].error).toMatch(/refused: .* loopback, private/);
      expect(attempts[0].next_retry_at).not.toBeNull();
      await api.delete(`/webhooks/${hook.json.id}`, auth);
    }
    expect(receiver.received).toHaveLength(0);
  }, 60_000);
});

describe("a process killed (-9) while a delivery is in flight", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "wsg-hooks-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  let seeded: { token: string; project: { id: string } };
  beforeAll(async () => {
    seeded = await runCli(
      ["seed", "--email", "hooks-kill@example.com", "--project-name", "hooks", "--json"],
      { DATA_DIR: dataDir },
    );
  }, 120_000);

  it("delivers it after the restart (the same webhook-id), with one recorded attempt", async () => {
    // The first request is held (the process dies before any answer); the next one succeeds.
    const receiver = await startReceiver((index) => (index === 0 ? "hold" : 200));
    const env = {
      DATA_DIR: dataDir,
      IDLE_TIMEOUT_MINUTES: "0",
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true",
      WEBHOOK_TIMEOUT_MS: "1000",
    };
    const first = await startServerProcess(env);
    const auth = { token: seeded.token };
    const hook = await restClient(first.url).post(`/projects/${seeded.project.id}/webhooks`, {
      ...auth,
      json: { url: receiver.url, ...createdOnly },
    });
    expect(hook.status).toBe(201);
    const workspace = await restClient(first.url).post(
      `/projects/${seeded.project.id}/workspaces`,
      {
        ...auth,
        json: { keep_active: true },
      },
    );
    expect(workspace.status).toBe(201);
    await waitFor(() => receiver.received.length === 1, { what: "the held delivery" }).catch(
      (e) => {
        throw new Error(
          `${e}; logs: ${JSON.stringify(first.logs.filter((l) => l.level >= 40)).slice(0, 3000)}`,
        );
      },
    );
    await first.kill("SIGKILL");

    const second = await startServerProcess(env);
    await waitFor(() => receiver.received.length === 2, {
      what: "the delivery again",
      timeoutMs: 60_000,
    });
    const ids = receiver.received.map((r) => r.headers["webhook-id"]);
    expect(ids[1]).toBe(ids[0]);
    const attempts = await waitFor(async () => {
      const page = await restClient(second.url).get(`/webhooks/${hook.json.id}/deliveries`, auth);
      return page.json.deliveries.length >= 1 && page.json.deliveries;
    });
    expect(attempts.map((a: { status_code: number }) => a.status_code)).toEqual([200]);
    await second.kill("SIGTERM");

    // The operator's CLI sees the same: the workspace's history and the project's webhook.
    const history = await runCli<{ events: { type: string; reason: string }[] }>(
      ["workspace", "history", workspace.json.id, "--json"],
      { DATA_DIR: dataDir },
    );
    expect(history.events[0]).toMatchObject({ type: "workspace.created", reason: "requested" });
    const hooks = await runCli<{ webhooks: Record<string, unknown>[] }>(
      ["webhook", "list", "--project", seeded.project.id, "--json"],
      { DATA_DIR: dataDir },
    );
    expect(hooks.webhooks).toEqual([
      expect.objectContaining({ id: hook.json.id, url: receiver.url, disabled_at: null }),
    ]);
    expect(hooks.webhooks[0]?.secret).toBeUndefined();
  }, 180_000);
});
