// WorkspaceFilter on Project.workspaces and User.workspaces (issue 17): for each filter the same
// ids, in the same order, as REST's GET /projects/:id/workspaces?status=&label= and GET
// /workspaces?status=&label= (membership, shared projects, a project-scoped token); paging through
// the list across projects; the same accept/refuse decision for a label as REST, at the bound of
// the label syntax (63 characters accepted, 64 refused), naming the label. Real servers over
// HTTP, on the embedded database and on PostgreSQL when TEST_DATABASE_URL is set.
import { describe, expect, it } from "vitest";
import { storedLabels } from "../src/services/workspace-policy.js";
import type { FilteredViewerWorkspacesQuery, WorkspaceFilter } from "./generated/graphql.js";
import { graphql } from "./generated/index.js";
import { databaseTargets } from "./kit/database.js";
import { graphqlClient } from "./kit/graphql.js";
import { type RestClient, restClient } from "./kit/rest.js";
import { type SeededUser, seedUser, workspaceRow } from "./kit/seed.js";
import { type TestServer, useServer } from "./kit/server.js";

const ProjectWorkspaces = graphql(`
  query FilteredProjectWorkspaces(
    $project: ID!
    $filter: WorkspaceFilter
    $status: WorkspaceStatus
    $first: Int
    $after: String
  ) {
    project(id: $project) {
      workspaces(filter: $filter, status: $status, first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { id } }
      }
    }
  }
`);

const ViewerWorkspaces = graphql(`
  query FilteredViewerWorkspaces($filter: WorkspaceFilter, $first: Int, $after: String) {
    viewer {
      workspaces(filter: $filter, first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { id status labels { key value } } }
      }
    }
  }
`);

const ViewerWorkspacesLast = graphql(`
  query FilteredViewerWorkspacesLast($filter: WorkspaceFilter, $last: Int) {
    viewer {
      workspaces(filter: $filter, last: $last) {
        pageInfo { hasPreviousPage }
        edges { node { id } }
      }
    }
  }
`);

type Label = { key: string; value: string };

/** A filter through both doors: REST's query string and GraphQL's WorkspaceFilter. */
interface Case {
  status?: ("running" | "stopped" | "creating" | "error")[];
  labels?: Label[];
}

const CASES: Case[] = [
  {},
  { status: ["running"] },
  { status: ["running", "stopped"] },
  { status: ["creating"] },
  { labels: [{ key: "team", value: "ml" }] },
  {
    labels: [
      { key: "team", value: "ml" },
      { key: "env", value: "prod" },
    ],
  },
  { status: ["stopped"], labels: [{ key: "team", value: "ml" }] },
  { status: ["running", "error"], labels: [{ key: "example.com/tier", value: "" }] },
  { labels: [{ key: "team", value: "nobody" }] },
];

function query(filter: Case): string {
  const parts = [
    ...(filter.status ?? []).map((s) => `status=${s}`),
    ...(filter.labels ?? []).map((l) => `label=${encodeURIComponent(`${l.key}=${l.value}`)}`),
  ];
  return parts.length === 0 ? "" : `?${parts.join("&")}`;
}

function gqlFilter(filter: Case): WorkspaceFilter {
  return {
    ...(filter.status ? { status: filter.status.map((s) => s.toUpperCase()) } : {}),
    ...(filter.labels ? { labels: filter.labels } : {}),
  } as WorkspaceFilter;
}

async function restIds(api: RestClient, token: string, path: string): Promise<string[]> {
  const response = await api.get(path, { token });
  expect(response.status, `${path}: ${response.text}`).toBe(200);
  return response.json.workspaces.map((w: { id: string }) => w.id);
}

/**
 * Alice's workspaces: in her project, in a second one of hers, and in Bob's project shared with
 * her as a viewer; Bob's own unshared project has a workspace with her labels that she never sees.
 */
async function seedLists(server: TestServer) {
  const api = restClient(server.url);
  const alice = await seedUser(server.services, "filter-alice");
  const bob = await seedUser(server.services, "filter-bob");
  const second = await server.services.projects.create(alice.user.id, { name: "second" });
  const hidden = await server.services.projects.create(bob.user.id, { name: "hidden" });
  if (!second.ok || !hidden.ok) throw new Error("project");
  const added = await api.post(`/projects/${bob.project.id}/members`, {
    token: bob.token,
    json: { email: alice.user.email, role: "viewer" },
  });
  expect(added.status, added.text).toBe(201);
  const ids: Record<string, string> = {};
  let minute = 0;
  const insert = async (
    name: string,
    projectId: string,
    status: "running" | "stopped" | "error",
    labels: Record<string, string>,
  ) => {
    // Distinct creation times, in insertion order: the lists are newest first.
    const createdAt = new Date(Date.UTC(2026, 0, 1, 0, minute++));
    const row = await server.database.prisma.workspace.create({
      data: workspaceRow(projectId, { status, createdAt, labels: storedLabels(labels) }),
    });
    ids[name] = row.id;
  };
  await insert("a", alice.project.id, "running", { team: "ml", env: "prod" });
  await insert("b", alice.project.id, "stopped", { team: "ml", env: "dev" });
  await insert("c", second.value.id, "running", { team: "ml", "example.com/tier": "" });
  await insert("d", second.value.id, "stopped", { team: "web" });
  await insert("e", second.value.id, "error", { "example.com/tier": "" });
  await insert("f", bob.project.id, "running", { team: "ml", env: "prod" });
  await insert("g", hidden.value.id, "running", { team: "ml", env: "prod" });
  // Marked for deletion: gone from every list of both doors.
  await server.database.prisma.workspace.create({
    data: workspaceRow(alice.project.id, {
      desiredState: "deleted",
      labels: storedLabels({ team: "ml" }),
    }),
  });
  return { api, alice, bob, second: second.value, ids };
}

describe.each(databaseTargets)("WorkspaceFilter on $name", (target) => {
  describe.skipIf(target.skip)("", () => {
    const server = useServer(target.open);

    it("lists the same ids as REST for every filter, on both fields", async () => {
      const { api, alice, bob, second, ids } = await seedLists(server);
      const client = graphqlClient(server.url, alice.token);
      const projects = [alice.project.id, second.id, bob.project.id];
      let compared = 0;
      for (const filter of CASES) {
        const viewer = (await client.data(ViewerWorkspaces, { filter: gqlFilter(filter) })).viewer
          .workspaces;
        const rest = await restIds(api, alice.token, `/workspaces${query(filter)}`);
        expect(
          viewer.edges.map((e) => e.node.id),
          JSON.stringify(filter),
        ).toEqual(rest);
        expect(viewer.totalCount).toBe(rest.length);
        compared += rest.length;
        for (const project of projects) {
          const answer = await client.data(ProjectWorkspaces, {
            project,
            filter: gqlFilter(filter),
          });
          const page = answer.project?.workspaces;
          const restPage = await restIds(
            api,
            alice.token,
            `/projects/${project}/workspaces${query(filter)}`,
          );
          expect(
            page?.edges.map((e) => e.node.id),
            `${project} ${JSON.stringify(filter)}`,
          ).toEqual(restPage);
          expect(page?.totalCount).toBe(restPage.length);
        }
      }
      // The lists are not trivially empty, and say exactly what the filters mean.
      expect(compared).toBeGreaterThan(10);
      const idsOf = async (filter: Case) =>
        (
          await client.data(ViewerWorkspaces, { filter: gqlFilter(filter) })
        ).viewer.workspaces.edges.map((e) => e.node.id);
      expect(await idsOf({})).toEqual(["f", "e", "d", "c", "b", "a"].map((n) => ids[n]));
      expect(await idsOf(CASES[5] as Case)).toEqual([ids.f, ids.a]);
      expect(await idsOf(CASES[6] as Case)).toEqual([ids.b]);
      expect(await idsOf(CASES[7] as Case)).toEqual([ids.e, ids.c]);
      // DELETED is no row's status; the older `status` argument narrows `filter` further.
      expect(await idsOf({ status: ["deleted" as "error"] })).toEqual([]);
      const both = await client.data(ProjectWorkspaces, {
        project: alice.project.id,
        status: "RUNNING",
        filter: { status: ["RUNNING", "STOPPED"] },
      });
      expect(both.project?.workspaces.edges.map((e) => e.node.id)).toEqual([ids.a]);
      const labels = (await client.data(ViewerWorkspaces, { filter: gqlFilter(CASES[5] as Case) }))
        .viewer.workspaces.edges[0]?.node.labels;
      expect(labels).toEqual([
        { key: "env", value: "prod" },
        { key: "team", value: "ml" },
      ]);
    });

    it("pages the list across projects with first/after and last, as REST pages it", async () => {
      const { api, alice } = await seedLists(server);
      const client = graphqlClient(server.url, alice.token);
      const filter = { labels: [{ key: "team", value: "ml" }] };
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const answer: FilteredViewerWorkspacesQuery = await client.data(ViewerWorkspaces, {
          filter,
          first: 2,
          after,
        });
        const { edges, pageInfo, totalCount } = answer.viewer.workspaces;
        expect(totalCount).toBe(4);
        seen.push(...edges.map((e) => e.node.id));
        after = pageInfo.hasNextPage ? (pageInfo.endCursor ?? null) : null;
        pages++;
      } while (after);
      expect(pages).toBe(2);
      expect(seen).toEqual(await restIds(api, alice.token, "/workspaces?label=team=ml"));
      const restFirst = await api.get("/workspaces?label=team=ml&limit=2", { token: alice.token });
      expect(seen.slice(0, 2)).toEqual(restFirst.json.workspaces.map((w: { id: string }) => w.id));
      const last = await client.data(ViewerWorkspacesLast, { filter, last: 2 });
      expect(last.viewer.workspaces.edges.map((e) => e.node.id)).toEqual(seen.slice(2));
      expect(last.viewer.workspaces.pageInfo.hasPreviousPage).toBe(true);
    });

    it("lists only the token's project for a project-scoped token, as REST does", async () => {
      const { api, alice, second } = await seedLists(server);
      const made = await api.post("/user/tokens", {
        token: alice.token,
        json: { name: "ci", project_id: second.id, role: "viewer" },
      });
      expect(made.status, made.text).toBe(201);
      const scoped = made.json.token as string;
      const viewer = (
        await graphqlClient(server.url, scoped).data(ViewerWorkspaces, {
          filter: { labels: [{ key: "team", value: "ml" }] },
        })
      ).viewer.workspaces;
      const rest = await restIds(api, scoped, "/workspaces?label=team=ml");
      expect(rest).toHaveLength(1);
      expect(viewer.edges.map((e) => e.node.id)).toEqual(rest);
      expect(viewer.totalCount).toBe(1);
    });

    it("accepts and refuses each label as REST does, naming it", async () => {
      const alice: SeededUser = await seedUser(server.services, "filter-refuse");
      const api = restClient(server.url);
      const client = graphqlClient(server.url, alice.token);
      const name = (length: number) => `a${"b".repeat(length - 2)}c`;
      const labels: [Label, boolean][] = [
        [{ key: name(63), value: "x" }, true],
        [{ key: name(64), value: "x" }, false],
        [{ key: "team", value: name(63) }, true],
        [{ key: "team", value: name(64) }, false],
        [{ key: "team", value: "" }, true],
        [{ key: "", value: "x" }, false],
        [{ key: "bad key", value: "x" }, false],
        [{ key: "Example.com/team", value: "ml" }, false],
        [{ key: "team", value: "ml-" }, false],
        [{ key: "team", value: "a=b" }, false],
      ];
      for (const [label, accepted] of labels) {
        const what = JSON.stringify(label);
        const selector = encodeURIComponent(`${label.key}=${label.value}`);
        const restMessages: string[] = [];
        for (const path of ["/workspaces", `/projects/${alice.project.id}/workspaces`]) {
          const rest = await api.get(`${path}?label=${selector}`, { token: alice.token });
          expect(rest.status, `${path} ${what}`).toBe(accepted ? 200 : 400);
          if (!accepted) {
            expect(rest.json.details.map((d: { field: string }) => d.field)).toEqual(["label"]);
            restMessages.push(rest.json.details[0].message);
          }
        }
        for (const answer of [
          await client.execute(ViewerWorkspaces, { filter: { labels: [label] } }),
          await client.execute(ProjectWorkspaces, {
            project: alice.project.id,
            filter: { labels: [label] },
          }),
        ]) {
          if (accepted) {
            expect(answer.errors, what).toBeUndefined();
            continue;
          }
          const [error] = answer.errors ?? [];
          expect(error?.extensions?.code, what).toBe("BAD_USER_INPUT");
          expect(error?.extensions?.argument, what).toBe("filter.labels");
          // Named, in the words REST's 400 uses for the same label.
          expect(error?.message, what).toContain(JSON.stringify(label.key));
          expect([error?.message, error?.message]).toEqual(restMessages);
        }
      }
    });
  });
});
