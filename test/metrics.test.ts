import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client.js";
import { OPERATION_NAMES_MAX, OperationNames } from "../src/metrics.js";
import { createServices } from "../src/services/index.js";
import { LocalStatusBus } from "../src/services/status-bus.js";
import { graphqlWsClient } from "./kit/graphql.js";
import { killProcessesAfterAll, type ServerProcess, startServerProcess } from "./kit/processes.js";
import { Rest } from "./kit/rest.js";
import { seedUser, workspaceRow } from "./kit/seed.js";
import { wsWatch } from "./kit/subscriptions.js";
import { waitFor } from "./kit/wait.js";

killProcessesAfterAll();

/** The value of one series of a Prometheus text page, labels in any order; undefined if absent. */
function sample(
  page: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of page.split("\n")) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((pair) => [pair[1], pair[2]]),
    );
    const wanted = Object.entries(labels);
    if (wanted.length !== Object.keys(found).length) continue;
    if (wanted.every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

async function graphql(url: string, token: string | null, query: string, variables = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as {
    data?: { createWorkspace?: { __typename: string; workspace?: { id: string } } };
    errors?: unknown[];
  };
}

const CREATE = /* GraphQL */ `
  mutation CreateOne($projectId: ID!) {
    createWorkspace(input: { projectId: $projectId, keepActive: true }) {
      __typename
      ... on CreateWorkspaceSuccess { workspace { id } }
    }
  }
`;

describe("metrics operators need", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "wsg-metrics-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  let server: ServerProcess;
  let token: string;
  let projectId: string;
  let failingProjectId: string;
  let orphanId: string;

  beforeAll(async () => {
    // A workspace whose lease a dead process left behind, written before the server starts.
    const database = await openDatabase({ dataDir, migrate: true });
    try {
      const services = createServices({
        prisma: database.prisma,
        gpuKinds: [],
        bus: new LocalStatusBus(),
      });
      const seeded = await seedUser(services, "metrics");
      token = seeded.token;
      projectId = seeded.project.id;
      const failing = await services.projects.create(seeded.user.id, { name: "[fail:start]" });
      if (!failing.ok) throw new Error(failing.error.message);
      failingProjectId = failing.value.id;
      const orphan = await database.prisma.workspace.create({
        data: workspaceRow(projectId, {
          status: "creating",
          leaseOwner: "a-process-that-died",
          leaseExpiresAt: new Date(Date.now() - 60_000),
        }),
      });
      orphanId = orphan.id;
    } finally {
      await database.close();
    }
    server = await startServerProcess({ DATA_DIR: dataDir, SIMULATED_PROVISION_DELAY_MS: "20" });
  }, 120_000);

  async function scrape(): Promise<string> {
    return (await fetch(`${server.url}/metrics`)).text();
  }

  it("counts operations, subscriptions, sockets, workspaces by status, steps, failures and takeovers", async () => {
    const rest = new Rest(server.url, token);
    await waitFor(async () => (await rest.getWorkspace(orphanId))?.status === "running", {
      what: "the orphaned workspace to be carried on",
    });

    const created = await graphql(server.url, token, CREATE, { projectId });
    expect(created.data?.createWorkspace?.__typename).toBe("CreateWorkspaceSuccess");
    const id = created.data?.createWorkspace?.workspace?.id ?? "";
    const failing = await graphql(server.url, token, CREATE, { projectId: failingProjectId });
    const failingId = failing.data?.createWorkspace?.workspace?.id ?? "";
    const refused = await graphql(server.url, null, "query Who { viewer { id } }");
    expect(refused.errors).toHaveLength(1);

    const ws = graphqlWsClient(server.url, { authorization: `Bearer ${token}` });
    const watch = wsWatch(ws.client, id);
    await watch.until("RUNNING");
    await waitFor(async () => (await rest.getWorkspace(failingId))?.status === "error", {
      what: "the failing workspace to end in error",
    });

    const page = await scrape();
    const operations = (operation: string, type: string, result: string) =>
      sample(page, "graphql_operations_total", { operation, type, result });
    expect(operations("CreateOne", "mutation", "ok")).toBe(2);
    expect(operations("Who", "query", "error")).toBe(1);
    expect(operations("WorkspaceStatus", "subscription", "ok")).toBe(1);
    expect(sample(page, "graphql_subscriptions_active")).toBe(1);
    expect(sample(page, "websocket_connections_open")).toBe(1);

    expect(sample(page, "workspaces", { status: "running" })).toBe(2);
    expect(sample(page, "workspaces", { status: "error" })).toBe(1);
    expect(sample(page, "workspaces", { status: "creating" })).toBe(0);

    // Three creates completed their creating step; two started, one failed starting.
    expect(sample(page, "lifecycle_step_duration_seconds_count", { step: "creating" })).toBe(3);
    expect(sample(page, "lifecycle_step_duration_seconds_count", { step: "starting" })).toBe(3);
    expect(sample(page, "lifecycle_step_failures_total", { step: "starting" })).toBe(1);
    expect(sample(page, "lifecycle_step_failures_total", { step: "creating" })).toBeUndefined();
    expect(sample(page, "lifecycle_lease_takeovers_total")).toBe(1);

    await ws.dispose();
    await waitFor(
      async () => {
        const after = await scrape();
        return (
          sample(after, "graphql_subscriptions_active") === 0 &&
          sample(after, "websocket_connections_open") === 0
        );
      },
      { what: "the subscription and socket gauges to return to 0" },
    );
  }, 90_000);
});

describe("operation names as a label", () => {
  it('keeps `max` distinct names (n), counts the next one (n+1) as "other"', () => {
    const names = new OperationNames(3);
    expect(["A", "B", "C"].map((name) => names.label(name))).toEqual(["A", "B", "C"]);
    expect(names.label("D")).toBe("other");
    expect(names.label("A")).toBe("A");
    expect(names.label(undefined)).toBe("anonymous");
    expect(OPERATION_NAMES_MAX).toBe(100);
  });
});
