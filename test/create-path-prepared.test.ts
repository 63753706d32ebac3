/**
 * Named prepared statements on PostgreSQL: Prisma's statements get a name per distinct text, up
 * to PREPARED_STATEMENT_LIMIT, and the create path's own statement is prepared on the same pool.
 * PostgreSQL's pg_prepared_statements (per connection; the pool here has one) shows what is.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../src/db/client.js";
import { insertWorkspace } from "../src/db/create-workspace.js";
import {
  PREPARED_STATEMENT_LIMIT,
  prismaStatementNames,
  statementsFor,
} from "../src/db/statements.js";
import { TEST_DATABASE_URL } from "./kit/database.js";

describe("prismaStatementNames", () => {
  it(`names ${PREPARED_STATEMENT_LIMIT} distinct texts and leaves the next one unnamed`, () => {
    const name = prismaStatementNames();
    const names = Array.from({ length: PREPARED_STATEMENT_LIMIT }, (_, i) =>
      name({ sql: `SELECT ${i}` }),
    );
    expect(new Set(names).size).toBe(PREPARED_STATEMENT_LIMIT);
    expect(names.every((n) => typeof n === "string" && n.startsWith("wg_prisma_"))).toBe(true);
    expect(name({ sql: `SELECT ${PREPARED_STATEMENT_LIMIT}` })).toBeUndefined();
    // A text seen before keeps its name past the limit.
    expect(name({ sql: "SELECT 0" })).toBe(names[0]);
  });

  it("honours a smaller limit: 2 named, the 3rd not", () => {
    const name = prismaStatementNames(2);
    expect(name({ sql: "a" })).toBeDefined();
    expect(name({ sql: "b" })).toBeDefined();
    expect(name({ sql: "c" })).toBeUndefined();
    expect(name({ sql: "a" })).toBe(name({ sql: "a" }));
  });
});

describe.skipIf(!TEST_DATABASE_URL)("named statements on PostgreSQL", () => {
  let database: Database;

  beforeAll(async () => {
    database = await openDatabase({
      databaseUrl: TEST_DATABASE_URL,
      dataDir: "",
      migrate: true,
      poolSize: 1,
    });
  });

  afterAll(async () => {
    await database?.close();
  });

  const prepared = () =>
    database.prisma.$queryRawUnsafe<{ name: string; statement: string }[]>(
      "SELECT name, statement FROM pg_prepared_statements",
    );

  it("prepares Prisma's statements and the create statement once on the connection", async () => {
    const { prisma } = database;
    const user = await prisma.user.create({ data: { email: `prep-${randomUUID()}@example.com` } });
    const project = await prisma.project.create({ data: { ownerId: user.id, name: "prepared" } });
    for (let i = 0; i < 2; i++) {
      await prisma.project.findFirst({ where: { id: project.id, ownerId: user.id } });
      const workspace = await insertWorkspace(statementsFor(prisma), {
        id: randomUUID(),
        projectId: project.id,
        userId: user.id,
        hardware: { cpuKind: "shared", cpus: 1, memoryMb: 1024, volumeSizeGb: 10, gpuKind: null },
        keepActive: false,
        autoStopMinutes: null,
        maxRunMinutes: 0,
        autoDeleteMinutes: null,
        labels: [],
        previewToken: `ptk_${randomUUID()}`,
        quota: 0,
        tokenId: null,
      });
      expect(workspace?.projectId).toBe(project.id);
    }
    const statements = await prepared();
    const names = statements.map((s) => s.name);
    expect(names).toContain("wg_create_workspaces_v1");
    const findFirst = statements.filter(
      (s) => s.name.startsWith("wg_prisma_") && /FROM "public"\."projects"/.test(s.statement),
    );
    expect(findFirst.length, JSON.stringify(statements, null, 1)).toBeGreaterThanOrEqual(1);
    expect(new Set(names).size).toBe(names.length);
  });
});
