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

    it("caps a page at 100 and refuses a malformed cursor", async () => {
      const client = graphqlClient(server.url, user.token);
      const big = await client.data(WorkspacePage, { project: user.project.id, first: 500 });
      expect(big.project?.workspaces.edges).toHaveLength(100);
      expect(big.project?.workspaces.pageInfo.hasNextPage).toBe(true);

      const bad = await client.execute(WorkspacePage, {
        project: user.project.id,
        after: "not-a-cursor",
      });
      expect(bad.errors?.[0]?.message).toMatch(/cursor/i);
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
