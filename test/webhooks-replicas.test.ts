// Issue 18: with two replicas (two server processes on one PostgreSQL database), both running the
// webhook worker, each event is delivered once in the normal case: the receiver counts every
// webhook-id exactly once, one per event of the project's log, and each delivery has exactly
// one recorded attempt. (PostgreSQL only: the embedded database has no second process.)
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASE_URL } from "./kit/database.js";
import { killProcessesAfterAll } from "./kit/processes.js";
import { useReplicas } from "./kit/replicas.js";
import { restClient } from "./kit/rest.js";
import { seedUser } from "./kit/seed.js";
import { waitFor } from "./kit/wait.js";

/** How many workspaces the two replicas create, half each (3 events each: created, starting, running). */
const WORKSPACES = 20;

describe.skipIf(!TEST_DATABASE_URL)("webhooks with two replicas (PostgreSQL)", () => {
  killProcessesAfterAll();
  const received: { id: string; eventId: string }[] = [];
  let receiverUrl = "";
  const receiver = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => {
      const event = JSON.parse(body) as { id: string };
      received.push({ id: String(request.headers["webhook-id"]), eventId: event.id });
      response.writeHead(204).end();
    });
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  const replicas = useReplicas("hooks", {
    IDLE_TIMEOUT_MINUTES: "0",
    WORKSPACE_QUOTA: "0",
    RATE_LIMIT_PER_MINUTE: "0",
    CREATE_RATE_LIMIT_PER_MINUTE: "0",
    MAX_CONCURRENT_REQUESTS_PER_TOKEN: "0",
    SIMULATED_PROVISION_DELAY_MS: "5",
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true",
  });

  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it(`${WORKSPACES} workspaces created on both replicas at once: every event reaches the receiver exactly once`, async () => {
    const owner = await seedUser(replicas.services, "hooks-replicas");
    const auth = { token: owner.token };
    const [a, b] = replicas.processes.map((p) => restClient(p.url));
    if (!a || !b) throw new Error("two replicas");
    const hook = await a.post(`/projects/${owner.project.id}/webhooks`, {
      ...auth,
      json: { url: receiverUrl },
    });
    expect(hook.status).toBe(201);

    const created = await Promise.all(
      Array.from({ length: WORKSPACES }, (_, i) =>
        (i % 2 === 0 ? a : b).post(`/projects/${owner.project.id}/workspaces`, {
          ...auth,
          json: { keep_active: true },
        }),
      ),
    );
    expect(created.map((answer) => answer.status)).toEqual(created.map(() => 201));
    for (const answer of created) {
      const running = await a.get(`/workspaces/${answer.json.id}/wait?status=running&timeout=30`, {
        ...auth,
      });
      expect(running.json.status).toBe("running");
    }

    // Every event of the log, read after everything settled: what the receiver must get, once.
    const events: string[] = [];
    for (let after: string | null = null; ; ) {
      const page = await a.get(
        `/projects/${owner.project.id}/events?limit=100${after ? `&after=${after}` : ""}`,
        auth,
      );
      events.push(...(page.json.events as { id: string }[]).map((event) => event.id));
      after = page.json.next as string | null;
      if (!after) break;
    }
    expect(events.length).toBeGreaterThanOrEqual(3 * WORKSPACES);

    // Done when every delivery has its one recorded attempt (recorded after the answer, so
    // every request made by then has arrived).
    const prisma = replicas.database.prisma;
    await waitFor(
      async () =>
        (await prisma.webhookAttempt.count({ where: { endpointId: hook.json.id } })) >=
          events.length &&
        (await prisma.webhookDelivery.count({
          where: { endpointId: hook.json.id, state: { not: "delivered" } },
        })) === 0,
      { what: "every delivery to be made", timeoutMs: 60_000 },
    );
    const deliveries = await prisma.webhookDelivery.findMany({
      where: { endpointId: hook.json.id },
      select: { id: true, attempts: true, state: true },
    });
    expect(deliveries.length).toBe(events.length);
    expect(deliveries.every((d) => d.state === "delivered" && d.attempts === 1)).toBe(true);
    expect(await prisma.webhookAttempt.count({ where: { endpointId: hook.json.id } })).toBe(
      events.length,
    );

    const perId = new Map<string, number>();
    for (const { id } of received) perId.set(id, (perId.get(id) ?? 0) + 1);
    expect([...perId.values()].filter((count) => count !== 1)).toEqual([]);
    expect([...perId.keys()].sort()).toEqual(deliveries.map((d) => d.id).sort());
    expect(received.map((r) => r.eventId).sort()).toEqual([...events].sort());
  }, 180_000);
});
