import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Prisma } from "../src/generated/prisma/client.js";
import type {
  ProjectPageQuery,
  WorkspacePageQuery,
  WorkspacePageQueryVariables,
  WorkspaceStatus,
} from "./generated/graphql.js";
import { graphql } from "./generated/index.js";
import { databaseTargets } from "./kit/database.js";
import { graphqlClient } from "./kit/graphql.js";
import { type SeededUser, seedUser, workspaceRow } from "./kit/seed.js";
import { useServer } from "./kit/server.js";

const WorkspacePage = graphql(`
  query WorkspacePage($project: ID!, $first: Int, $after: String, $status: WorkspaceStatus) {
    project(id: $project) {
      workspaces(first: $first, after: $after, status: $status) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { cursor node { id status createdAt } }
      }
    }
  }
`);

const ProjectPage = graphql(`
  query ProjectPage($first: Int, $after: String) {
    viewer {
      projects(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { id } }
      }
    }
  }
`);

const WORKSPACES = 120;

describe.each(databaseTargets)("connections on the $name database", (target) => {
  describe.skipIf(target.skip)("", () => {
    const server = useServer(target.open);
    let user: SeededUser;
    /** The visible workspaces, newest first with the id breaking ties: the expected order. */
    let expected: { id: string; status: string }[];

    beforeAll(async () => {
      user = await seedUser(server.services, "pages");
      // Settled rows (nothing for the lifecycle engine to do), three per timestamp so that the
      // tie-break decides, every third one stopped; plus one being deleted, which no page shows.
      const base = Date.now() - 3_600_000;
      const rows: Prisma.WorkspaceCreateManyInput[] = Array.from(
        { length: WORKSPACES + 1 },
        (_, i) => {
          const status = i % 3 === 0 ? "stopped" : "running";
          return workspaceRow(user.project.id, {
            id: randomUUID(),
            status,
            desiredState: i === WORKSPACES ? "deleted" : status,
            createdAt: new Date(base + Math.floor(i / 3) * 1000),
          });
        },
      );
      await server.database.prisma.workspace.createMany({ data: rows });
      expected = rows
        .filter((row) => row.desiredState !== "deleted")
        .sort(
          (a, b) =>
            (b.createdAt as Date).getTime() - (a.createdAt as Date).getTime() ||
            ((a.id as string) < (b.id as string) ? 1 : -1),
        )
        .map((row) => ({ id: row.id as string, status: (row.status as string).toUpperCase() }));
    });

    async function pageThrough(first: number, status?: WorkspaceStatus) {
      const client = graphqlClient(server.url, user.token);
      const seen: string[] = [];
      const totals = new Set<number>();
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const variables: WorkspacePageQueryVariables = {
          project: user.project.id,
          first,
          after,
          status,
        };
        const { project }: WorkspacePageQuery = await client.data(WorkspacePage, variables);
        const connection = project?.workspaces;
        if (!connection) throw new Error("project not found");
        pages += 1;
        totals.add(connection.totalCount);
        for (const edge of connection.edges) {
          if (status) expect(edge.node.status).toBe(status);
          seen.push(edge.node.id);
        }
        expect(connection.edges.length).toBeLessThanOrEqual(first);
        if (!connection.pageInfo.hasNextPage) break;
        after = connection.pageInfo.endCursor ?? null;
        expect(after).toBe(connection.edges.at(-1)?.cursor);
      }
      return { seen, totals: [...totals], pages };
    }

    it("pages through all 120 newest first: no duplicates, no gaps, totalCount on every page", async () => {
      const { seen, totals, pages } = await pageThrough(7);
      expect(seen).toEqual(expected.map((row) => row.id));
      expect(new Set(seen).size).toBe(WORKSPACES);
      expect(totals).toEqual([WORKSPACES]);
      expect(pages).toBe(Math.ceil(WORKSPACES / 7));
    });

    it("filters by status, totalCount included", async () => {
      const stopped = expected.filter((row) => row.status === "STOPPED").map((row) => row.id);
      const { seen, totals } = await pageThrough(15, "STOPPED");
      expect(seen).toEqual(stopped);
      expect(totals).toEqual([stopped.length]);
      expect(stopped.length).toBe(WORKSPACES / 3);
    });

    it("keeps a cursor's next page when newer workspaces arrive", async () => {
      const client = graphqlClient(server.url, user.token);
      const first = await client.data(WorkspacePage, { project: user.project.id, first: 10 });
      const cursor = first.project?.workspaces.pageInfo.endCursor;
      expect(cursor).toBeTruthy();
      const before = await client.data(WorkspacePage, {
        project: user.project.id,
        first: 10,
        after: cursor,
      });

      const other = await seedUser(server.services, "pages-newer");
      await server.database.prisma.workspace.create({
        data: workspaceRow(other.project.id, { status: "stopped", desiredState: "stopped" }),
      });
      const newest = await server.database.prisma.workspace.create({
        data: workspaceRow(user.project.id, { status: "stopped", desiredState: "stopped" }),
      });
      try {
        const after = await client.data(WorkspacePage, {
          project: user.project.id,
          first: 10,
          after: cursor,
        });
        expect(after.project?.workspaces.edges).toEqual(before.project?.workspaces.edges);
        expect(after.project?.workspaces.totalCount).toBe(WORKSPACES + 1);
        expect(before.project?.workspaces.edges.map((edge) => edge.node.id)).toEqual(
          expected.slice(10, 20).map((row) => row.id),
        );
      } finally {
        await server.database.prisma.workspace.delete({ where: { id: newest.id } });
      }
    });

    /** A raw request: the refusals below are about arguments no typed document holds. */
    async function post(
      query: string,
      variables: Record<string, unknown> = {},
      token = user.token,
    ) {
      const response = await fetch(`${server.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as {
        data?: {
          project: {
            workspaces: {
              pageInfo: { hasPreviousPage: boolean; startCursor: string | null };
              edges: { node: { id: string } }[];
            };
          } | null;
        } | null;
        errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[];
      };
    }
    const PAGE = `query ($project: ID!, $first: Int, $last: Int, $before: String) {
      project(id: $project) { workspaces(first: $first, last: $last, before: $before) {
        pageInfo { hasNextPage hasPreviousPage startCursor } edges { node { id } } } } }`;

    it("answers first: 100 with 100 rows and refuses first: 101 (MAX_PAGE_SIZE), last alike", async () => {
      for (const size of ["first", "last"] as const) {
        const full = await post(PAGE, { project: user.project.id, [size]: 100 });
        expect(full.errors).toBeUndefined();
        expect(full.data?.project?.workspaces.edges).toHaveLength(100);

        const over = await post(PAGE, { project: user.project.id, [size]: 101 });
        expect(over.errors).toHaveLength(1);
        expect(over.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
        expect(over.errors?.[0]?.message).toBe(`\`${size}\` must be from 1 to 100 (got 101).`);
        expect(over.errors?.[0]?.path).toEqual(["project", "workspaces"]);
      }
    });

    it("refuses first/last below 1 and first with last, naming the argument (BAD_USER_INPUT)", async () => {
      const cases: [Record<string, number>, RegExp][] = [
        [{ first: 0 }, /`first` must be from 1 to 100 \(got 0\)/],
        [{ first: -1 }, /`first` must be from 1 to 100 \(got -1\)/],
        [{ last: 0 }, /`last` must be from 1 to 100 \(got 0\)/],
        [{ first: 1, last: 1 }, /`first` or `last`, not both/],
      ];
      for (const [args, message] of cases) {
        const answer = await post(PAGE, { project: user.project.id, ...args });
        expect(answer.errors?.[0]?.message, JSON.stringify(args)).toMatch(message);
        expect(answer.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      }
      const projects = await post("{ viewer { projects(first: 101) { totalCount } } }");
      expect(projects.errors?.[0]?.message).toMatch(/`first` must be from 1 to 100/);
      expect(projects.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    });

    it("last without before is the end of the list in its order (the oldest), and pages backwards", async () => {
      const ids = expected.map((row) => row.id);
      const one = await post(PAGE, { project: user.project.id, last: 1 });
      expect(one.data?.project?.workspaces.edges.map((edge) => edge.node.id)).toEqual(
        ids.slice(-1),
      );

      const seen: string[] = [];
      let before: string | null = null;
      for (;;) {
        const answer = await post(PAGE, { project: user.project.id, last: 7, before });
        const connection = answer.data?.project?.workspaces;
        if (!connection) throw new Error(JSON.stringify(answer));
        seen.unshift(...connection.edges.map((edge) => edge.node.id));
        if (!connection.pageInfo.hasPreviousPage) break;
        before = connection.pageInfo.startCursor;
      }
      expect(seen).toEqual(ids);
    });

    it("holds 20 rows when neither first nor last is given, and refuses a malformed cursor", async () => {
      const client = graphqlClient(server.url, user.token);
      const page = await client.data(WorkspacePage, { project: user.project.id });
      expect(page.project?.workspaces.edges.map((edge) => edge.node.id)).toEqual(
        expected.slice(0, 20).map((row) => row.id),
      );

      const bad = await client.execute(WorkspacePage, {
        project: user.project.id,
        after: "not-a-cursor",
      });
      expect(bad.errors?.[0]?.message).toMatch(/cursor/i);
      expect(bad.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    });

    it("describes every connection argument with its limits", async () => {
      const answer = (await (
        await fetch(`${server.url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
          body: JSON.stringify({
            query:
              "{ schema: __schema { types { name fields { name args { name description } } } } }",
          }),
        })
      ).json()) as {
        data: {
          schema: {
            types: {
              name: string;
              fields:
                | { name: string; args: { name: string; description: string | null }[] }[]
                | null;
            }[];
          };
        };
      };
      const connections = answer.data.schema.types
        .filter((type) => !type.name.startsWith("__"))
        .flatMap((type) =>
          (type.fields ?? [])
            .filter((field) => field.args.some((arg) => arg.name === "first"))
            .map((field) => ({ field: `${type.name}.${field.name}`, args: field.args })),
        );
      expect(connections.map((connection) => connection.field)).toEqual(
        expect.arrayContaining(["Project.workspaces", "User.projects", "User.workspaces"]),
      );
      // Lists of rows page both ways (Relay's backward pagination); append-only logs
      // (Project.events, Workspace.history, Webhook.deliveries) are read forward from a
      // cursor and need not take `last`. Whatever a connection takes is described with its
      // limits.
      const argumentsOf = (field: string) =>
        connections.find((connection) => connection.field === field)?.args.map((arg) => arg.name);
      for (const field of ["Project.workspaces", "User.projects", "User.workspaces"]) {
        expect(argumentsOf(field), field).toEqual(
          expect.arrayContaining(["first", "after", "last", "before"]),
        );
      }
      for (const { field, args } of connections) {
        for (const arg of args) expect(arg.description, `${field}(${arg.name})`).toBeTruthy();
        const described = Object.fromEntries(args.map((arg) => [arg.name, arg.description]));
        expect(described.first, field).toMatch(/1 to 100/);
        expect(described.first, field).toMatch(/first 20/);
        if ("last" in described) expect(described.last, field).toMatch(/1 to 100/);
      }
    });

    it("pages through the viewer's projects newest first", async () => {
      const owner = await seedUser(server.services, "many-projects");
      const created = [owner.project.id];
      for (let i = 0; i < 11; i++) {
        const project = await server.services.projects.create(owner.user.id, { name: `p${i}` });
        if (!project.ok) throw new Error(project.error.message);
        created.push(project.value.id);
      }
      const client = graphqlClient(server.url, owner.token);
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const { viewer }: ProjectPageQuery = await client.data(ProjectPage, { first: 5, after });
        expect(viewer.projects.totalCount).toBe(12);
        seen.push(...viewer.projects.edges.map((edge) => edge.node.id));
        if (!viewer.projects.pageInfo.hasNextPage) break;
        after = viewer.projects.pageInfo.endCursor ?? null;
      }
      expect(seen).toHaveLength(12);
      expect(new Set(seen)).toEqual(new Set(created));
      const rows = await server.database.prisma.project.findMany({
        where: { ownerId: owner.user.id },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        select: { id: true },
      });
      expect(seen).toEqual(rows.map((row) => row.id));
    });
  });
});
