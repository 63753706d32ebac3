/**
 * Nested connections do the work they are priced at (issue 15, item 1): every page is cut by a
 * LIMIT inside the SQL, so the project → workspaces → project → workspaces cycle reads a few rows
 * per level on a project with 1,000 workspaces, in a fixed number of statements.
 *
 * Like test/graphql-query-count.test.ts, the app runs on its own database handle whose every
 * statement is logged, without the lifecycle engine (its sweeps would add statements).
 */
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, buildApp } from "../src/app.js";
import type { Database } from "../src/db/client.js";
import { parseEnv } from "../src/env.js";
import { loggedDatabaseTargets } from "./kit/database.js";

/** The document of issue 15, item 1 (plus totalCount at the top). */
const CYCLE = `query ($id: ID!) { project(id: $id) { workspaces(first: 2) { totalCount edges { node { id
  project { workspaces(first: 2) { edges { node { id
    project { workspaces(first: 2) { edges { node { id } } } } } } } } } } } } }`;

/**
 * The statements for CYCLE: the project; then per level of workspaces one page read — every level
 * here has one parent (the one project), so its page is one LIMITed read with each row's `project`
 * joined in (connections.ts `readOne`; several parents read through LATERAL … LIMIT, pinned in
 * graphql-query-count.test.ts) —; and the top level's COUNT(*) for totalCount. Authentication
 * costs none (the token is cached by a warm-up request).
 */
const EXPECTED_STATEMENTS = 1 + 3 + 1;

interface Answer {
  data?: {
    project: {
      workspaces: {
        totalCount: number;
        edges: {
          node: {
            id: string;
            project: {
              workspaces: {
                edges: {
                  node: {
                    id: string;
                    project: { workspaces: { edges: { node: { id: string } }[] } };
                  };
                }[];
              };
            };
          };
        }[];
      };
    };
  };
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

describe.each(loggedDatabaseTargets)("nested connections on the $name database", (target) => {
  describe.skipIf(target.skip)("", () => {
    let database: Database;
    let app: App;
    let url: string;
    let statements: string[] | undefined;

    beforeAll(async () => {
      database = await target.open((sql) => statements?.push(sql));
      app = await buildApp({
        env: parseEnv({ PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent" }),
        database,
      });
      await app.http.listen({ port: 0, host: "127.0.0.1" });
      url = `http://127.0.0.1:${(app.http.server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await app?.stop();
      await database?.close();
    });

    /** A project of `count` settled workspaces, one second apart, inserted by one statement. */
    async function seed(count: number) {
      const { prisma } = database;
      const user = await prisma.user.create({ data: { email: `nested-${randomUUID()}@e.com` } });
      const { token } = await app.services.tokens.issue(user.id);
      const project = await prisma.project.create({ data: { ownerId: user.id, name: "big" } });
      await prisma.$executeRaw`
        INSERT INTO workspaces (id, project_id, status, desired_state, keep_active, cpu_kind, cpus,
          memory_mb, volume_size_gb, preview_token, created_at, updated_at)
        SELECT gen_random_uuid(), ${project.id}::uuid, 'stopped', 'stopped', true, 'shared', 1,
          1024, 1, 'ptk_' || md5(random()::text) || i, now() - i * interval '1 second', now()
        FROM generate_series(1, ${count}::int) AS i`;
      // created_at DESC, id DESC: the order every page uses.
      const newest = await prisma.workspace.findMany({
        where: { projectId: project.id },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        select: { id: true },
        take: 2,
      });
      return { token, projectId: project.id, newest: newest.map((row) => row.id) };
    }

    async function post(token: string, query: string, variables: Record<string, unknown>) {
      const response = await fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as Answer;
    }

    /** The statements one request runs, after a warm-up request has cached the token. */
    async function statementsFor(token: string, projectId: string) {
      await post(token, "{ __typename }", {});
      statements = [];
      const answer = await post(token, CYCLE, { id: projectId });
      const ran = statements;
      statements = undefined;
      return { answer, ran };
    }

    it(`answers the project → workspaces → project cycle on 1,000 workspaces in ${EXPECTED_STATEMENTS} statements, each page cut by a LIMIT`, async () => {
      const small = await seed(10);
      const large = await seed(1000);
      const few = await statementsFor(small.token, small.projectId);
      const many = await statementsFor(large.token, large.projectId);

      expect(many.answer.errors).toBeUndefined();
      const top = many.answer.data?.project.workspaces;
      expect(top?.totalCount).toBe(1000);
      expect(top?.edges.map((edge) => edge.node.id)).toEqual(large.newest);
      for (const edge of top?.edges ?? []) {
        const second = edge.node.project.workspaces.edges;
        expect(second.map((inner) => inner.node.id)).toEqual(large.newest);
        for (const inner of second) {
          expect(inner.node.project.workspaces.edges.map((e) => e.node.id)).toEqual(large.newest);
        }
      }

      const log = many.ran.join("\n---\n");
      expect(many.ran, log).toHaveLength(EXPECTED_STATEMENTS);
      // The same statements, word for word, for 10 workspaces and for 1,000 (totalCount and the
      // page are read concurrently, so in either order).
      expect([...many.ran].sort()).toEqual([...few.ran].sort());

      const workspaceReads = many.ran.filter((sql) => /FROM\s+(\S+\.)?"?workspaces"?\s/i.test(sql));
      const counts = workspaceReads.filter((sql) => /COUNT\(\*\)/i.test(sql));
      const pages = workspaceReads.filter((sql) => !counts.includes(sql));
      expect(pages, log).toHaveLength(3);
      expect(counts, log).toHaveLength(1);
      // Every page is cut in the database: newest first, then LIMIT (page size + 1).
      for (const sql of pages) {
        expect(sql, log).toMatch(
          /ORDER BY ("?t0"?\.)?"?created_at"? DESC, ("?t0"?\.)?"?id"? DESC\s+LIMIT \$\d+/,
        );
      }
    });

    it("prices last like first, and the project → workspaces cycle by the rows each level reads", async () => {
      const { token, projectId } = await seed(3);
      const nested = (size: string) =>
        `query ($id: ID!) { project(id: $id) { workspaces(${size}: 100) { edges { node { id
          project { workspaces(${size}: 100) { edges { node { id } } } } } } } } }`;
      const byFirst = await post(token, nested("first"), { id: projectId });
      const byLast = await post(token, nested("last"), { id: projectId });
      // 1 + 1 + 100 × (1 + 1 + 1 + (1 + 1 + 100 × (1 + 1 + 1))): 30,502 rows' worth, over 25,000.
      expect(byFirst.errors?.[0]?.extensions).toMatchObject({
        code: "QUERY_TOO_COMPLEX",
        cost: 30502,
      });
      expect(byLast.errors?.[0]?.extensions).toMatchObject({
        code: "QUERY_TOO_COMPLEX",
        cost: 30502,
      });
      expect(byLast.data).toBeUndefined();
    });

    it.skipIf(target.name !== "embedded")(
      "reads a bounded number of workspace rows: the database's own counters",
      async () => {
        const large = await seed(1000);
        const tuplesRead = async () => {
          // This backend's counters reach the statistics views when its transaction ends.
          await database.prisma.$queryRaw`SELECT 1 AS one FROM pg_stat_force_next_flush()`;
          const [row] = await database.prisma.$queryRaw<{ read: bigint }[]>`
            SELECT COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0) AS read
            FROM pg_stat_clear_snapshot(), pg_stat_user_tables WHERE relname = 'workspaces'`;
          return Number(row?.read ?? 0);
        };
        const withoutCount = CYCLE.replace("totalCount ", "");
        await post(large.token, "{ __typename }", {});
        const before = await tuplesRead();
        const answer = await post(large.token, withoutCount, { id: large.projectId });
        expect(answer.errors).toBeUndefined();
        const read = (await tuplesRead()) - before;
        // 3 levels × (2 + 1 rows read by the page + 2 loaded): about 15 (the inserted workspaces
        // number 1,000; Prisma's joins read about a million here).
        expect(read).toBeGreaterThan(0);
        expect(read).toBeLessThanOrEqual(30);
      },
    );
  });
});
