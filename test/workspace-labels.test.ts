// Labels through both doors: the Kubernetes syntax at its bounds (names and values of 63
// characters accepted, 64 refused; 32 labels accepted, 33 refused) with the same decision and
// field in REST and GraphQL, merge-patch semantics, and the list filters ?status= and
// ?label=k=v on GET /workspaces (all projects) and GET /projects/:id/workspaces.
import { describe, expect, it } from "vitest";
import { embeddedDatabase } from "./kit/database.js";
import { type GraphQLClient, graphqlClient } from "./kit/graphql.js";
import { restClient, seedRestUser } from "./kit/rest.js";
import { useServer } from "./kit/server.js";

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateWorkspaceInput!) {
    createWorkspace(input: $input) {
      __typename
      ... on CreateWorkspaceSuccess { workspace { labels { key value } } }
      ... on InvalidInputError { issues { field message } }
    }
  }
`;

const gql = (client: GraphQLClient, document: string, variables: object) =>
  client.execute(document as never, variables as never);

const name = (length: number) => `a${"b".repeat(length - 2)}c`;
const many = (count: number) =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`key${i}`, `v${i}`]));

/** [labels, accepted] at and just past each bound of the syntax. */
const CASES: [Record<string, string>, boolean][] = [
  [{ [name(63)]: "x" }, true],
  [{ [name(64)]: "x" }, false],
  [{ team: name(63) }, true],
  [{ team: name(64) }, false],
  [{ team: "" }, true],
  [{ "example.com/team": "ml" }, true],
  [{ "Example.com/team": "ml" }, false],
  [{ "/team": "ml" }, false],
  [{ "-team": "ml" }, false],
  [{ team: "ml-" }, false],
  [{ "a_b.c-d": "A_b.9" }, true],
  [{ "team space": "ml" }, false],
  [many(32), true],
  [many(33), false],
];

describe("labels", () => {
  const server = useServer(embeddedDatabase);

  it("decides every label bound alike through REST and GraphQL, naming labels", async () => {
    const { api, path, token, project, rows } = await seedRestUser(server, "labels-bounds");
    const graphql = graphqlClient(server.url, token);
    let accepted = 0;
    for (const [labels, ok] of CASES) {
      const rest = await api.post(path, { token, json: { labels } });
      const answer = await gql(graphql, CREATE, {
        input: {
          projectId: project.id,
          labels: Object.entries(labels).map(([key, value]) => ({ key, value })),
        },
      });
      const member = (answer.data as { createWorkspace: Record<string, unknown> }).createWorkspace;
      const what = JSON.stringify(labels).slice(0, 80);
      expect(rest.status, `${what}: ${rest.text}`).toBe(ok ? 201 : 400);
      expect(member.__typename, what).toBe(ok ? "CreateWorkspaceSuccess" : "InvalidInputError");
      if (ok) {
        accepted += 2;
        expect(rest.json.labels).toEqual(labels);
      } else {
        const restFields = rest.json.details.map((d: { field: string }) => d.field);
        const gqlIssues = member.issues as { field: string; message: string }[];
        expect(restFields).toEqual(["labels"]);
        expect(gqlIssues.map((issue) => issue.field)).toEqual(["labels"]);
        // The message names the label (or the count).
        const [key] = Object.keys(labels);
        expect(rest.json.details[0].message).toMatch(
          Object.keys(labels).length > 32 ? /at most 32 labels \(got 33\)/ : JSON.stringify(key),
        );
      }
    }
    expect((await rows()).workspaces).toBe(accepted);
  });

  it("merges a PATCH into the labels: a string sets, null removes, labels: null removes all", async () => {
    const { api, path, token } = await seedRestUser(server, "labels-merge");
    const id = (await api.post(path, { token, json: { labels: { team: "ml", env: "dev" } } })).json
      .id;
    const patch = (json: object) => api.request("PATCH", `/workspaces/${id}`, { token, json });
    expect((await patch({ labels: { env: null, tier: "gpu" } })).json.labels).toEqual({
      team: "ml",
      tier: "gpu",
    });
    const full = await patch({ labels: many(31) });
    expect(full.status).toBe(400);
    expect(full.json.details[0].message).toMatch(/at most 32 labels \(got 33\)/);
    expect((await patch({ labels: null })).json.labels).toEqual({});
  });

  it("filters both lists by status (any of) and label=k=v (all of); a bad filter names its parameter", async () => {
    const alice = await seedRestUser(server, "labels-filter");
    const { token } = alice;
    const api = restClient(server.url);
    const other = await server.services.projects.create(alice.user.id, { name: "second" });
    if (!other.ok) throw new Error("project");
    const create = (projectId: string, labels: object) =>
      api.post(`/projects/${projectId}/workspaces`, { token, json: { labels } });
    const a = (await create(alice.project.id, { team: "ml", env: "prod" })).json;
    const b = (await create(other.value.id, { team: "ml", env: "dev" })).json;
    await create(other.value.id, { team: "web" });
    // Someone else's workspace with the same label is never listed.
    const bob = await seedRestUser(server, "labels-filter-other");
    await api.post(bob.path, { token: bob.token, json: { labels: { team: "ml" } } });

    const ids = async (query: string) => {
      const response = await api.get(query, { token });
      expect(response.status, response.text).toBe(200);
      return response.json.workspaces.map((w: { id: string }) => w.id);
    };
    expect(await ids("/workspaces?label=team=ml")).toEqual([b.id, a.id]);
    expect(await ids("/workspaces?label=team=ml&label=env=prod")).toEqual([a.id]);
    // All of: one key asked with two values matches nothing (as GraphQL's filter.labels).
    expect(await ids("/workspaces?label=team=ml&label=team=other")).toEqual([]);
    expect(await ids(`/projects/${other.value.id}/workspaces?label=team=ml`)).toEqual([b.id]);
    // Any of: every status a new workspace passes through until it runs (none is stopped yet).
    expect(
      await ids("/workspaces?status=creating&status=starting&status=running&label=team=ml"),
    ).toHaveLength(2);
    expect(await ids("/workspaces?status=stopped&label=team=ml")).toEqual([]);
    expect((await ids("/workspaces")).length).toBe(3);

    for (const [query, field] of [
      ["/workspaces?status=sleeping", "status"],
      ["/workspaces?label=team", "label"],
      ["/workspaces?label=bad key=x", "label"],
      [`/projects/${alice.project.id}/workspaces?label==x`, "label"],
    ] as const) {
      const refused = await api.get(query, { token });
      expect(refused.status, query).toBe(400);
      expect(refused.json.details.map((d: { field: string }) => d.field)).toEqual([field]);
    }
  });
});
