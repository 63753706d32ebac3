/**
 * Nested selections are planned into Prisma queries (`...query`), so the number of SQL
 * statements for a request is fixed by the shape of the query, not by the number of rows.
 *
 * The app runs on its own database handle whose every statement is logged, over real HTTP, but
 * without the lifecycle engine (`app.http.listen`, not `app.start`): its sweeps would add
 * statements of their own at random moments.
 */
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, buildApp } from "../src/app.js";
import { type Database, openDatabase, wrapPglite } from "../src/db/client.js";
import { parseEnv } from "../src/env.js";
import type { Prisma } from "../src/generated/prisma/client.js";
import { graphql } from "./generated/index.js";
import { TEST_DATABASE_URL } from "./kit/database.js";
import { graphqlClient } from "./kit/graphql.js";
import { workspaceRow } from "./kit/seed.js";

const ViewerProjectsWorkspaces = graphql(`
  query ViewerProjectsWorkspaces {
    viewer {
      id
      email
      defaultHardware { cpus }
      projects(first: 20) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges {
          cursor
          node {
            id
            name
            workspaces(first: 50) {
              totalCount
              pageInfo { hasNextPage }
              edges {
                node {
                  id
                  status
                  hardware { cpuKind cpus memoryMb }
                  createdAt
                  project { id name }
                }
              }
            }
          }
        }
      }
    }
  }
`);

/**
 * The statements for the query above: the viewer; for each connection level one page read (a
 * LATERAL … LIMIT for all its parents at once), one load of those rows with what is nested under
 * them joined in (each workspace's project) and one COUNT for totalCount
 * (src/graphql/connections.ts). Authentication costs none: the warm-up request cached the token
 * (test/revocation.test.ts counts the token queries themselves).
 */
const EXPECTED_STATEMENTS = 1 + 2 * 3;

const TARGETS = [
  {
    name: "embedded",
    skip: undefined,
    open: async (onQuery: (sql: string) => void) => {
      const pglite = await PGlite.create();
      const database = await wrapPglite(pglite, { migrate: true, onQuery });
      return {
        ...database,
        async close() {
          await database.close();
          await pglite.close();
        },
      };
    },
  },
  {
    name: "postgres",
    skip: TEST_DATABASE_URL ? undefined : "TEST_DATABASE_URL is not set",
    open: (onQuery: (sql: string) => void) =>
      openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: "", migrate: true, onQuery }),
  },
];

describe.each(TARGETS)("SQL statements per GraphQL request on the $name database", (target) => {
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

    /** A user with `projects` projects of `workspaces` workspaces each, and their token. */
    async function seed(projects: number, workspaces: number) {
      const { prisma } = database;
      const user = await prisma.user.create({
        data: { email: `count-${randomUUID()}@example.com` },
      });
      const { token } = await app.services.tokens.issue(user.id);
      const projectRows = Array.from({ length: projects }, (_, i) => ({
        id: randomUUID(),
        ownerId: user.id,
        name: `project ${i}`,
      }));
      await prisma.project.createMany({ data: projectRows });
      const workspaceRows: Prisma.WorkspaceCreateManyInput[] = projectRows.flatMap((project) =>
        Array.from({ length: workspaces }, () => workspaceRow(project.id)),
      );
      await prisma.workspace.createMany({ data: workspaceRows });
      return token;
    }

    /** The statements one request runs, after a first request has warmed the token (cache) up. */
    async function statementsFor(token: string) {
      const client = graphqlClient(url, token);
      await client.data(ViewerProjectsWorkspaces); // last_used_at is written on first use
      statements = [];
      const data = await client.data(ViewerProjectsWorkspaces);
      const ran = statements;
      statements = undefined;
      return { data, ran };
    }

    it(`runs ${EXPECTED_STATEMENTS} statements for viewer → projects → workspaces → project, however many rows`, async () => {
      const small = await statementsFor(await seed(2, 3));
      const large = await statementsFor(await seed(20, 50));

      expect(small.data.viewer.projects.edges).toHaveLength(2);
      expect(large.data.viewer.projects.totalCount).toBe(20);
      expect(large.data.viewer.projects.edges).toHaveLength(20);
      for (const { node } of large.data.viewer.projects.edges) {
        expect(node.workspaces.totalCount).toBe(50);
        expect(node.workspaces.edges).toHaveLength(50);
        expect(node.workspaces.edges.every((edge) => edge.node.project.id === node.id)).toBe(true);
      }

      const describeRun = (run: { ran: string[] }) => run.ran.join("\n---\n");
      expect(large.ran.length, describeRun(large)).toBe(small.ran.length);
      expect(small.ran.length, describeRun(small)).toBe(EXPECTED_STATEMENTS);
    });
  });
});
