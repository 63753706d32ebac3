// Issue 18: a `workspace.updated` event says which fields changed, from what to what: REST
// `changes: {field: {from, to}}`, GraphQL `changes: [{field, from, to}]` (the trigger keeps OLD's
// value beside NEW's, migration 20261209120000).
import { describe, expect, it } from "vitest";
import { embeddedDatabase } from "./kit/database.js";
import { restClient } from "./kit/rest.js";
import { seedUser } from "./kit/seed.js";
import { useServer } from "./kit/server.js";

describe("updated events keep each field's value before and after", () => {
  const server = useServer(embeddedDatabase, { IDLE_TIMEOUT_MINUTES: "0" });

  it("REST history and GraphQL Workspace.history say from and to", async () => {
    const owner = await seedUser(server.services, "event-changes");
    const api = restClient(server.url);
    const auth = { token: owner.token };
    const created = await api.post(`/projects/${owner.project.id}/workspaces`, {
      ...auth,
      json: { keep_active: true },
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const patch = (json: Record<string, unknown>) =>
      api.request("PATCH", `/workspaces/${id}`, { ...auth, json });
    expect((await patch({ max_run_minutes: 60 })).status).toBe(200);
    expect((await patch({ max_run_minutes: 90, labels: { team: "web" } })).status).toBe(200);

    const history = await api.get(`/workspaces/${id}/history`, auth);
    const updated = (history.json.events as { type: string; changes?: unknown }[]).filter(
      (event) => event.type === "workspace.updated",
    );
    expect(updated.map((event) => event.changes)).toEqual([
      { max_run_minutes: { from: 0, to: 60 } },
      {
        max_run_minutes: { from: 60, to: 90 },
        labels: { from: expect.anything(), to: expect.anything() },
      },
    ]);
    const second = (updated[1]?.changes ?? {}) as Record<string, { from: unknown; to: unknown }>;
    const labels = second.labels;
    expect(labels?.from).not.toEqual(labels?.to);

    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${owner.token}` },
      body: JSON.stringify({
        query: `query ($id: ID!) { workspace(id: $id) { history(first: 100) {
          edges { node { type changes { field from to } } } } } }`,
        variables: { id },
      }),
    });
    const body = (await response.json()) as {
      data: { workspace: { history: { edges: { node: { type: string; changes: unknown[] } }[] } } };
    };
    const changes = body.data.workspace.history.edges
      .filter((edge) => edge.node.type === "UPDATED")
      .map((edge) => edge.node.changes);
    expect(changes[0]).toEqual([{ field: "maxRunMinutes", from: "0", to: "60" }]);
    expect(changes[1]).toContainEqual({ field: "maxRunMinutes", from: "60", to: "90" });
  }, 60_000);
});
