import { describe, expect, it } from "vitest";
import type { Database } from "../src/db/client.js";
import type { PrismaClient } from "../src/generated/prisma/client.js";
import { problemField } from "../src/services/hardware-rules.js";
import { sweepIdempotencyKeys } from "../src/services/idempotency.js";
import { createServices, type Services } from "../src/services/index.js";
import { LocalStatusBus } from "../src/services/status-bus.js";
import { generateToken } from "../src/services/token-format.js";
import { databaseTargets } from "./kit/database.js";
import { seedUser } from "./kit/seed.js";

for (const target of databaseTargets) {
  describe.skipIf(target.skip)(
    `service layer on ${target.name}${target.skip ? ` (skipped: ${target.skip})` : ""}`,
    () => {
      let database: Database;
      let services: Services;
      const setup = async () => {
        database ??= await target.open();
        services ??= createServices({
          prisma: database.prisma,
          gpuKinds: ["a100"],
          bus: new LocalStatusBus(),
        });
        return { database, services };
      };

      describe("tokens", () => {
        it("authenticates an issued token as its user", async () => {
          const { services } = await setup();
          const { user, token } = await seedUser(services, "tok");
          const principal = await services.tokens.authenticate(token);
          expect(principal?.user.id).toBe(user.id);
        });

        it("stores only a hash: the raw token appears nowhere in the database", async () => {
          const { services, database } = await setup();
          const { token } = await seedUser(services, "hash");
          const dump = await dumpAllTables(database.prisma);
          expect(dump).not.toContain(token);
          expect(dump).not.toContain(token.slice(12));
          expect(dump).toContain(token.slice(0, 12)); // the visible prefix
        });

        it("refuses an unknown but well-formed token", async () => {
          const { services } = await setup();
          expect(await services.tokens.authenticate(generateToken())).toBeNull();
        });

        it("refuses a malformed token without a database query", async () => {
          const prisma = new Proxy({} as PrismaClient, {
            get() {
              throw new Error("the database was queried");
            },
          });
          const offline = createServices({ prisma, gpuKinds: [], bus: new LocalStatusBus() });
          expect(await offline.tokens.authenticate("wsg_not-a-token")).toBeNull();
          const valid = generateToken();
          const badChecksum = `${valid.slice(0, -1)}${valid.endsWith("0") ? "1" : "0"}`;
          expect(await offline.tokens.authenticate(badChecksum)).toBeNull();
        });

        it("refuses a revoked token, revoked by id, by prefix or by the token itself", async () => {
          const { services } = await setup();
          const { user } = await seedUser(services, "revoke");
          for (const by of ["id", "prefix", "token"] as const) {
            const issued = await services.tokens.issue(user.id);
            expect(await services.tokens.authenticate(issued.token)).not.toBeNull();
            const ref = by === "id" ? issued.id : by === "prefix" ? issued.prefix : issued.token;
            const revoked = await services.tokens.revoke(ref);
            expect(revoked.ok && revoked.value.id).toBe(issued.id);
            expect(await services.tokens.authenticate(issued.token)).toBeNull();
          }
          expect((await services.tokens.revoke("wsg_unknown")).ok).toBe(false);
        });

        it("keeps the first revocation time when a token is revoked again", async () => {
          const { services } = await setup();
          const { user } = await seedUser(services, "revoke-twice");
          const issued = await services.tokens.issue(user.id);
          const first = await services.tokens.revoke(issued.id);
          await new Promise((resolve) => setTimeout(resolve, 5));
          const second = await services.tokens.revoke(issued.token);
          if (!first.ok || !second.ok) throw new Error("expected both revokes to find the token");
          expect(second.value.revokedAt.getTime()).toBe(first.value.revokedAt.getTime());
        });

        it("records when a token was last used", async () => {
          const { services, database } = await setup();
          const { token } = await seedUser(services, "used");
          const principal = await services.tokens.authenticate(token);
          const row = await database.prisma.apiToken.findUniqueOrThrow({
            where: { id: principal?.tokenId ?? "" },
          });
          expect(row.lastUsedAt).toBeInstanceOf(Date);
        });
      });

      describe("projects and access", () => {
        it("gives the owner their project and everyone else the same not-found", async () => {
          const { services } = await setup();
          const alice = await seedUser(services, "alice");
          const bob = await seedUser(services, "bob");
          const own = await services.projects.getForUser(alice.user.id, alice.project.id);
          expect(own.ok && own.value.id).toBe(alice.project.id);
          const foreign = await services.projects.getForUser(bob.user.id, alice.project.id);
          const missing = await services.projects.getForUser(
            bob.user.id,
            "00000000-0000-4000-8000-000000000000",
          );
          const malformed = await services.projects.getForUser(bob.user.id, "not-a-uuid");
          for (const result of [foreign, missing, malformed]) {
            expect(result).toEqual({
              ok: false,
              error: { code: "PROJECT_NOT_FOUND", message: "project not found" },
            });
          }
        });

        it("rejects an empty project name", async () => {
          const { services } = await setup();
          const { user } = await seedUser(services, "name");
          const result = await services.projects.create(user.id, { name: "  " });
          expect(result.ok).toBe(false);
          expect(!result.ok && result.error.code).toBe("INVALID_INPUT");
        });
      });

      describe("workspace creation", () => {
        it("inserts a creating workspace with the system default hardware and a ptk_ token", async () => {
          const { services } = await setup();
          const { user, project } = await seedUser(services, "create");
          const result = await services.workspaces.create(user, { projectId: project.id });
          if (!result.ok) throw new Error(result.error.message);
          const { workspace } = result.value;
          expect(workspace).toMatchObject({
            projectId: project.id,
            status: "creating",
            cpuKind: "shared",
            cpus: 2,
            memoryMb: 2048,
            volumeSizeGb: 10,
            gpuKind: null,
            keepActive: false,
            machineId: null,
            privateIp: null,
            gitRef: null,
            errorMessage: null,
            version: 1,
          });
          // ptk_ + base64url of 24 random bytes: 192 bits.
          expect(workspace.previewToken).toMatch(/^ptk_[A-Za-z0-9_-]{32}$/);
        });

        it("merges request over the user's default_hardware over the system default", async () => {
          const { services } = await setup();
          const { user, project } = await seedUser(services, "merge");
          const updated = await services.users.replaceDefaultHardware(user, {
            cpuKind: "performance",
            cpus: 2,
            memoryMb: 4096,
          });
          if (!updated.ok) throw new Error(updated.error.message);
          const result = await services.workspaces.create(updated.value, {
            projectId: project.id,
            hardware: { cpus: 4, memoryMb: 8192 },
            keepActive: true,
          });
          if (!result.ok) throw new Error(result.error.message);
          expect(result.value.workspace).toMatchObject({
            cpuKind: "performance",
            cpus: 4,
            memoryMb: 8192,
            volumeSizeGb: 10,
            keepActive: true,
          });
        });

        it("reports every hardware issue with its field and stores nothing", async () => {
          const { services, database } = await setup();
          const { user, project } = await seedUser(services, "invalid");
          const result = await services.workspaces.create(user, {
            projectId: project.id,
            hardware: { cpus: 3, volumeSizeGb: 501, gpuKind: "h100" },
          });
          expect(result.ok).toBe(false);
          if (result.ok || result.error.code !== "INVALID_HARDWARE")
            throw new Error("expected issues");
          const fields = result.error.problems.map(problemField);
          expect(result.error.target).toBe("hardware");
          expect(fields).toEqual(expect.arrayContaining(["cpus", "volumeSizeGb", "gpuKind"]));
          expect(await database.prisma.workspace.count({ where: { projectId: project.id } })).toBe(
            0,
          );
        });

        it("refuses another user's project", async () => {
          const { services } = await setup();
          const alice = await seedUser(services, "alice");
          const bob = await seedUser(services, "bob");
          const result = await services.workspaces.create(bob.user, {
            projectId: alice.project.id,
          });
          expect(!result.ok && result.error.code).toBe("PROJECT_NOT_FOUND");
        });

        it("replays an idempotent create, and refuses the key for another request", async () => {
          const { services, database } = await setup();
          const { user, project } = await seedUser(services, "idem");
          const input = { projectId: project.id, hardware: { cpus: 4 }, idempotencyKey: "k-1" };
          const first = await services.workspaces.create(user, input);
          const again = await services.workspaces.create(user, {
            ...input,
            hardware: { cpus: 4 },
            keepActive: false,
          });
          if (!first.ok || !again.ok) throw new Error("expected success");
          expect(again.value.replayed).toBe(true);
          expect(again.value.workspace).toEqual(first.value.workspace);
          const other = await services.workspaces.create(user, { ...input, hardware: { cpus: 2 } });
          expect(!other.ok && other.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
          expect(await database.prisma.workspace.count({ where: { projectId: project.id } })).toBe(
            1,
          );
        });
      });

      describe("idempotency keys", () => {
        it("are swept once expired, and only then", async () => {
          const { services, database } = await setup();
          const { user, project } = await seedUser(services, "sweep");
          for (const key of ["old", "fresh"]) {
            const created = await services.workspaces.create(user, {
              projectId: project.id,
              idempotencyKey: key,
            });
            expect(created.ok).toBe(true);
          }
          const now = new Date();
          await database.prisma.idempotencyRecord.updateMany({
            where: { userId: user.id, key: "old" },
            data: { expiresAt: new Date(now.getTime() - 1000) },
          });
          expect(await sweepIdempotencyKeys(database.prisma, now)).toBeGreaterThanOrEqual(1);
          const left = await database.prisma.idempotencyRecord.findMany({
            where: { userId: user.id },
            select: { key: true },
          });
          expect(left.map((record) => record.key)).toEqual(["fresh"]);
        });
      });

      describe("workspace actions", () => {
        it("refuses start and stop in states that do not allow them", async () => {
          const { services } = await setup();
          const { user, project } = await seedUser(services, "act");
          const created = await services.workspaces.create(user, { projectId: project.id });
          if (!created.ok) throw new Error(created.error.message);
          const id = created.value.workspace.id;
          const stop = await services.workspaces.stop(user.id, id);
          expect(stop).toMatchObject({
            ok: false,
            error: { code: "INVALID_TRANSITION", status: "creating" },
          });
          const start = await services.workspaces.start(user.id, id);
          expect(!start.ok && start.error.code).toBe("INVALID_TRANSITION");
        });

        it("hides a workspace once deletion was requested", async () => {
          const { services } = await setup();
          const { user, project } = await seedUser(services, "delete");
          const created = await services.workspaces.create(user, { projectId: project.id });
          if (!created.ok) throw new Error(created.error.message);
          const id = created.value.workspace.id;
          expect((await services.workspaces.delete(user.id, id)).ok).toBe(true);
          expect(!(await services.workspaces.get(user.id, id)).ok).toBe(true);
          expect((await services.workspaces.delete(user.id, id)).ok).toBe(false);
        });
      });
    },
  );
}

async function dumpAllTables(prisma: PrismaClient): Promise<string> {
  const [users, tokens, projects, workspaces, records] = await Promise.all([
    prisma.user.findMany(),
    prisma.apiToken.findMany(),
    prisma.project.findMany(),
    prisma.workspace.findMany(),
    prisma.idempotencyRecord.findMany(),
  ]);
  return JSON.stringify({ users, tokens, projects, workspaces, records });
}
