// Changing a workspace: PATCH /workspaces/:id (JSON Merge Patch) and GraphQL updateWorkspace
// make the same decision with the same failing field for every policy bound (n accepted, n+1
// refused); a resize only while stopped, merged over the current hardware, a volume that only
// grows, and the next start runs the new hardware; keep-alive through both doors.
import { describe, expect, it } from "vitest";
import { embeddedDatabase } from "./kit/database.js";
import { type GraphQLClient, graphqlClient } from "./kit/graphql.js";
import { seedRestUser } from "./kit/rest.js";
import { useServer } from "./kit/server.js";
import { waitFor } from "./kit/wait.js";

const UPDATE = /* GraphQL */ `
  mutation Update($id: ID!, $input: UpdateWorkspaceInput!) {
    updateWorkspace(id: $id, input: $input) {
      __typename
      ... on UpdateWorkspaceSuccess {
        workspace {
          autoStopMinutes maxRunMinutes autoDeleteMinutes keepActive
          labels { key value }
          hardware { cpus memoryMb volumeSizeGb }
        }
      }
      ... on InvalidInputError { issues { field message } }
      ... on InvalidHardwareError { issues { field message } }
      ... on InvalidTransitionError { status }
    }
  }
`;

const KEEP_ALIVE = /* GraphQL */ `
  mutation Keep($id: ID!) {
    keepWorkspaceAlive(id: $id) {
      __typename
      ... on KeepWorkspaceAliveSuccess { workspace { lastActivityAt autoStopAt } }
    }
  }
`;

/** A document of this file through the kit's client (typed documents are codegen's). */
const gql = (client: GraphQLClient, document: string, variables: object) =>
  client.execute(document as never, variables as never);

/** snake_case REST field → the GraphQL input's field. */
const camel = (field: string) =>
  field.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

describe("updating a workspace", () => {
  const server = useServer(embeddedDatabase, { SIMULATED_PROVISION_DELAY_MS: "20" });

  async function stoppedWorkspace(label: string) {
    const seeded = await seedRestUser(server, label);
    const { api, path, token } = seeded;
    const created = await api.post(path, { token, json: { keep_active: true } });
    const id: string = created.json.id;
    await waitFor(
      async () => (await api.get(`/workspaces/${id}`, { token })).json.status === "running",
    );
    await api.post(`/workspaces/${id}/stop`, { token });
    await waitFor(
      async () => (await api.get(`/workspaces/${id}`, { token })).json.status === "stopped",
    );
    return { ...seeded, id, graphql: graphqlClient(server.url, token) };
  }

  const bounds = [
    ["auto_stop_minutes", 10_080],
    ["max_run_minutes", 43_200],
    ["auto_delete_minutes", 43_200],
  ] as const;

  it("decides every bound alike through both doors: n accepted, n+1 refused naming the field", async () => {
    // Running (kept active): a stopped one with auto_delete_minutes 0 would be deleted at once.
    const { api, path, token } = await seedRestUser(server, "update-bounds");
    const graphql = graphqlClient(server.url, token);
    const id = (await api.post(path, { token, json: { keep_active: true } })).json.id;
    for (const [field, max] of bounds) {
      for (const value of [0, max, max + 1, -1]) {
        const accepted = value >= 0 && value <= max;
        const rest = await api.request("PATCH", `/workspaces/${id}`, {
          token,
          body: JSON.stringify({ [field]: value }),
          headers: { "content-type": "application/merge-patch+json" },
        });
        const answer = await gql(graphql, UPDATE, { id, input: { [camel(field)]: value } });
        const member = (answer.data as { updateWorkspace: Record<string, unknown> })
          .updateWorkspace;
        expect(rest.status, `${field}=${value}: ${rest.text}`).toBe(accepted ? 200 : 400);
        expect(member.__typename, `${field}=${value}`).toBe(
          accepted ? "UpdateWorkspaceSuccess" : "InvalidInputError",
        );
        if (accepted) {
          expect(rest.json[field]).toBe(value);
          expect((member.workspace as Record<string, unknown>)[camel(field)]).toBe(value);
        } else {
          expect(rest.json.details.map((d: { field: string }) => d.field)).toEqual([field]);
          expect((member.issues as { field: string }[]).map((issue) => issue.field)).toEqual([
            camel(field),
          ]);
        }
      }
    }
  });

  it("null resets a field to its default; keep_active is the legacy spelling of auto_stop_minutes 0", async () => {
    const { api, token, id } = await stoppedWorkspace("update-null");
    const patch = (json: object) => api.request("PATCH", `/workspaces/${id}`, { token, json });
    expect((await patch({ max_run_minutes: 5, auto_delete_minutes: 7 })).json).toMatchObject({
      max_run_minutes: 5,
      auto_delete_minutes: 7,
    });
    const reset = await patch({
      max_run_minutes: null,
      auto_delete_minutes: null,
      keep_active: false,
    });
    expect(reset.json).toMatchObject({
      max_run_minutes: 0,
      auto_delete_minutes: null,
      keep_active: false,
      auto_stop_minutes: 10,
    });
    expect((await patch({ keep_active: true })).json).toMatchObject({
      keep_active: true,
      auto_stop_minutes: 0,
    });
    const disagree = await patch({ keep_active: true, auto_stop_minutes: 3 });
    expect(disagree.status).toBe(400);
    expect(disagree.json.details[0].field).toBe("keep_active");
    // A stopped workspace with auto_delete is due then.
    const due = (await patch({ auto_delete_minutes: 60 })).json;
    expect(Date.parse(due.auto_delete_at)).toBeGreaterThan(Date.now() + 59 * 60_000);
  });

  it("resizes only while stopped, over the current hardware; the volume only grows; the next start runs it", async () => {
    const { api, token, id, graphql, project } = await stoppedWorkspace("update-resize");
    const patch = (json: object) => api.request("PATCH", `/workspaces/${id}`, { token, json });
    const grown = await patch({ hardware: { memory_mb: 4096, volume_size_gb: 20 } });
    expect(grown.status, grown.text).toBe(200);
    // Merged over the current hardware (cpus stay), not over the defaults.
    expect(grown.json.hardware).toMatchObject({ cpus: 2, memory_mb: 4096, volume_size_gb: 20 });

    const shrink = await patch({ hardware: { volume_size_gb: 19 } });
    expect(shrink.status).toBe(400);
    expect(shrink.json.details).toEqual([
      { field: "hardware.volume_size_gb", message: "may only grow: at least 20 (got 19)" },
    ]);
    const gqlShrink = await gql(graphql, UPDATE, { id, input: { hardware: { volumeSizeGb: 19 } } });
    expect(gqlShrink.data).toMatchObject({
      updateWorkspace: {
        __typename: "InvalidInputError",
        issues: [{ field: "hardware.volumeSizeGb" }],
      },
    });
    const invalid = await patch({ hardware: { memory_mb: 300 } });
    expect(invalid.status).toBe(400);
    expect(invalid.json.details[0].field).toBe("hardware.memory_mb");

    await api.post(`/workspaces/${id}/start`, { token });
    const up = await waitFor(async () => {
      const now = (await api.get(`/workspaces/${id}`, { token })).json;
      return now.status === "running" ? now : undefined;
    });
    expect(up.hardware).toMatchObject({ memory_mb: 4096, volume_size_gb: 20 });
    const whileRunning = await patch({ hardware: { memory_mb: 2048 } });
    expect(whileRunning.status).toBe(400);
    expect(whileRunning.json.error).toMatch(/cannot resize a workspace that is running/);
    const gqlRunning = await gql(graphql, UPDATE, { id, input: { hardware: { memoryMb: 2048 } } });
    expect(gqlRunning.data).toMatchObject({
      updateWorkspace: { __typename: "InvalidTransitionError", status: "RUNNING" },
    });
    // Nothing changed.
    const row = await server.database.prisma.workspace.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ memoryMb: 4096, volumeSizeGb: 20, projectId: project.id });
  });

  it("keep-alive answers the workspace with its new auto_stop_at through both doors", async () => {
    const { api, path, token } = await seedRestUser(server, "update-keepalive");
    const graphql = graphqlClient(server.url, token);
    const id = (await api.post(path, { token, json: { auto_stop_minutes: 30 } })).json.id;
    await waitFor(
      async () => (await api.get(`/workspaces/${id}`, { token })).json.status === "running",
    );
    const before = (await api.get(`/workspaces/${id}`, { token })).json;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const kept = await api.post(`/workspaces/${id}/keepalive`, { token });
    expect(kept.status).toBe(200);
    expect(Date.parse(kept.json.auto_stop_at)).toBeGreaterThan(Date.parse(before.auto_stop_at));
    expect(Date.parse(kept.json.auto_stop_at) - Date.parse(kept.json.last_activity_at)).toBe(
      30 * 60_000,
    );
    const kept2 = await gql(graphql, KEEP_ALIVE, { id });
    const workspace = (kept2.data as { keepWorkspaceAlive: { workspace: { autoStopAt: string } } })
      .keepWorkspaceAlive.workspace;
    expect(Date.parse(workspace.autoStopAt)).toBeGreaterThan(Date.parse(kept.json.auto_stop_at));
    const missing = await api.post("/workspaces/00000000-0000-4000-8000-000000000000/keepalive", {
      token,
    });
    expect(missing.status).toBe(404);
  });
});
