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
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, buildApp } from "../src/app.js";
import type { Database } from "../src/db/client.js";
import { parseEnv } from "../src/env.js";
import type { Prisma } from "../src/generated/prisma/client.js";
import { graphql } from "./generated/index.js";
import { loggedDatabaseTargets } from "./kit/database.js";
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

/** The bench's gql-read: one project's page of 50 workspaces, every field, and their project. */
const ProjectPageEveryField = graphql(`
  query ProjectPageEveryField($id: ID!, $after: String, $filter: WorkspaceFilter) {
    project(id: $id) {
      id
      name
      workspaces(first: 50, after: $after, filter: $filter) {
        pageInfo { hasNextPage endCursor }
        edges {
          cursor
          node {
            id projectId status keepActive machineId privateIp gitRef previewToken errorMessage
            createdAt updatedAt autoStopMinutes maxRunMinutes autoDeleteMinutes lastActivityAt
            autoStopAt autoDeleteAt stopReason
            labels { key value }
            hardware { cpuKind cpus memoryMb gpuKind volumeSizeGb }
            project { id name defaultBranch createdAt }
          }
        }
      }
    }
  }
`);

/**
 * The project (through the caller's membership), then its page with each workspace's project
 * joined in: a lone parent's page is one findMany with LIMIT (connections.ts `readOne`).
 */
const PROJECT_PAGE_STATEMENTS = 2;

/**
 * The statements for the query above: the viewer; for each connection level one page read (a
 * LATERAL … LIMIT for all its parents at once), one load of those rows with what is nested under
 * them joined in (each workspace's project) and one COUNT for totalCount
 * (src/graphql/connections.ts). Authentication costs none: the warm-up request cached the token
 * (test/revocation.test.ts counts the token queries themselves).
 */
const EXPECTED_STATEMENTS = 1 + 2 * 3;

describe.each(loggedDatabaseTargets)(
  "SQL statements per GraphQL request on the $name database",
  (target) => {
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
          expect(node.workspaces.edges.every((edge) => edge.node.project.id === node.id)).toBe(
            true,
          );
        }

        const describeRun = (run: { ran: string[] }) => run.ran.join("\n---\n");
        expect(large.ran.length, describeRun(large)).toBe(small.ran.length);
        expect(small.ran.length, describeRun(small)).toBe(EXPECTED_STATEMENTS);
      });

      it(`reads a project's page of 50 workspaces, every field and their project, in ${PROJECT_PAGE_STATEMENTS} statements`, async () => {
        const token = await seed(1, 60);
        const client = graphqlClient(url, token);
        const { project: first } = await client.data(ProjectPageEveryField, {
          id: await projectOf(token),
        });
        const id = first?.id as string;
        const run = async (variables: { after?: string; filter?: { status: "CREATING"[] } }) => {
          statements = [];
          const data = await client.data(ProjectPageEveryField, { id, ...variables });
          const ran = statements;
          statements = undefined;
          return { page: data.project?.workspaces, ran };
        };

        const one = await run({});
        expect(one.page?.edges).toHaveLength(50);
        expect(one.page?.pageInfo.hasNextPage).toBe(true);
        expect(one.page?.edges.every((edge) => edge.node.project.id === id)).toBe(true);
        expect(one.ran.length, one.ran.join("\n---\n")).toBe(PROJECT_PAGE_STATEMENTS);

        // The rest, after the cursor: the 10 older ones, none of the first page again.
        const two = await run({ after: one.page?.pageInfo.endCursor as string });
        expect(two.page?.edges).toHaveLength(10);
        expect(two.page?.pageInfo.hasNextPage).toBe(false);
        const seen = new Set(one.page?.edges.map((edge) => edge.node.id));
        expect(two.page?.edges.some((edge) => seen.has(edge.node.id))).toBe(false);
        expect(two.ran.length).toBe(PROJECT_PAGE_STATEMENTS);

        // A filter that matches none is still one page read.
        const none = await run({ filter: { status: ["CREATING"] } });
        expect(none.page?.edges).toHaveLength(0);
        expect(none.ran.length).toBe(PROJECT_PAGE_STATEMENTS);
      });

      /** The first project of the token's user. */
      async function projectOf(token: string): Promise<string> {
        const user = await app.services.tokens.authenticate(token);
        const project = await database.prisma.project.findFirstOrThrow({
          where: { ownerId: user?.user.id },
        });
        return project.id;
      }
    });
  },
);
