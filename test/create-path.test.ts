/**
 * The create path's statements (src/db/create-workspace.ts): how many one request runs, that
 * what they return is the row Prisma reads back, and every refusal and idempotency rule they fold
 * together. Over real HTTP on an app with its own statement-logging database handle, without the
 * lifecycle engine (`app.http.listen`, not `app.start`): its claims would add statements at
 * random moments. WORKSPACE_QUOTA is on, so its check is counted too.
 */
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, buildApp } from "../src/app.js";
import type { Database } from "../src/db/client.js";
import { parseEnv } from "../src/env.js";
import { Prisma } from "../src/generated/prisma/client.js";
import { IN_FLIGHT_TIMEOUT_MS } from "../src/services/idempotency.js";
import { reviveWorkspace } from "../src/services/workspace-json.js";
import { loggedDatabaseTargets, TEST_DATABASE_URL } from "./kit/database.js";
import { restClient } from "./kit/rest.js";
import { seedUser } from "./kit/seed.js";

const QUOTA = 3;

const CREATE_MUTATION = `mutation Create($input: CreateWorkspaceInput!) {
  createWorkspace(input: $input) {
    __typename
    ... on CreateWorkspaceSuccess { workspace { id keepActive } }
    ... on Error { message }
  }
}`;

describe.each(loggedDatabaseTargets)("the create path on the $name database", (target) => {
  describe.skipIf(target.skip)("", () => {
    let database: Database;
    let app: App;
    let url: string;
    let statements: string[] | undefined;

    beforeAll(async () => {
      database = await target.open((sql) => statements?.push(sql));
      app = await buildApp({
        env: parseEnv({
          PORT: "0",
          HOST: "127.0.0.1",
          LOG_LEVEL: "silent",
          RATE_LIMIT_PER_MINUTE: "0",
          CREATE_RATE_LIMIT_PER_MINUTE: "0",
          WORKSPACE_QUOTA: String(QUOTA),
        }),
        database,
      });
      await app.http.listen({ port: 0, host: "127.0.0.1" });
      url = `http://127.0.0.1:${(app.http.server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await app?.stop();
      await database?.close();
    });

    /** A user with a project, whose token is already cached (a first request warmed it). */
    async function seeded() {
      const seed = await seedUser(app.services, "create-path");
      const api = restClient(url);
      const path = `/projects/${seed.project.id}/workspaces`;
      const warm = await api.get(path, { token: seed.token });
      expect(warm.status, warm.text).toBe(200);
      const create = (json: unknown = {}, key?: string, projectPath = path) =>
        api.post(projectPath, {
          token: seed.token,
          json,
          ...(key === undefined ? {} : { headers: { "idempotency-key": key } }),
        });
      const graphql = async (input: Record<string, unknown>) => {
        const response = await fetch(`${url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${seed.token}` },
          body: JSON.stringify({ query: CREATE_MUTATION, variables: { input } }),
        });
        const body = (await response.json()) as {
          data: { createWorkspace: { __typename: string; workspace?: { id: string } } };
        };
        return body.data.createWorkspace;
      };
      const rows = async () => ({
        workspaces: await database.prisma.workspace.count({
          where: { project: { ownerId: seed.user.id } },
        }),
        keys: await database.prisma.idempotencyRecord.count({ where: { userId: seed.user.id } }),
      });
      return { ...seed, api, path, create, graphql, rows };
    }

    /** The statements `run` made, and what it returned. */
    async function counted<T>(run: () => Promise<T>) {
      statements = [];
      try {
        const value = await run();
        return { value, ran: statements };
      } finally {
        statements = undefined;
      }
    }

    it("creates through REST and GraphQL in one statement each, with or without a key, quota included", async () => {
      const { create, graphql, rows, project } = await seeded();
      const plain = await counted(() => create({ keep_active: true }));
      expect(plain.value.status, plain.value.text).toBe(201);
      expect(plain.ran, plain.ran.join("\n---\n")).toHaveLength(1);

      const key = randomUUID();
      const keyed = await counted(() => create({}, key));
      expect(keyed.value.status, keyed.value.text).toBe(201);
      expect(keyed.ran, keyed.ran.join("\n---\n")).toHaveLength(1);
      const replay = await counted(() => create({}, key));
      expect(replay.value.status).toBe(201);
      expect(replay.value.headers.get("idempotent-replayed")).toBe("true");
      expect(replay.value.json).toEqual(keyed.value.json);
      expect(replay.ran).toHaveLength(1);

      const projectId = project.id;
      const viaGraphql = await counted(() => graphql({ projectId, idempotencyKey: randomUUID() }));
      expect(viaGraphql.value.__typename).toBe("CreateWorkspaceSuccess");
      expect(viaGraphql.ran, viaGraphql.ran.join("\n---\n")).toHaveLength(1);
      expect(await rows()).toEqual({ workspaces: QUOTA, keys: 2 });
    });

    it("returns the row Prisma reads back, and stores that row as the key's response", async () => {
      const { user, project } = await seeded();
      const created = await app.services.workspaces.create(user, {
        projectId: project.id.toUpperCase(),
        hardware: { cpus: 4, memoryMb: 4096 },
        keepActive: true,
      });
      expect(created.ok).toBe(true);
      if (!created.ok) return;
      const { workspace } = created.value;
      expect(workspace).toEqual(
        await database.prisma.workspace.findUniqueOrThrow({ where: { id: workspace.id } }),
      );
      expect(workspace).toMatchObject({ projectId: project.id, cpus: 4, memoryMb: 4096 });

      const key = randomUUID();
      const keyed = await app.services.workspaces.create(user, {
        projectId: project.id,
        idempotencyKey: key,
      });
      expect(keyed.ok).toBe(true);
      if (!keyed.ok) return;
      const row = await database.prisma.workspace.findUniqueOrThrow({
        where: { id: keyed.value.workspace.id },
      });
      expect(keyed.value.workspace).toEqual(row);
      const record = await database.prisma.idempotencyRecord.findUniqueOrThrow({
        where: { userId_key: { userId: user.id, key } },
      });
      expect(record).toMatchObject({ state: "completed", workspaceId: row.id });
      expect(reviveWorkspace(record.response)).toEqual(row);
    });

    it("answers a foreign and a missing project with the identical 404, writing nothing", async () => {
      const owner = await seeded();
      const stranger = await seeded();
      for (const key of [undefined, randomUUID()]) {
        const foreign = await counted(() => stranger.create({}, key, owner.path));
        const missing = await counted(() =>
          stranger.create({}, key, `/projects/${randomUUID()}/workspaces`),
        );
        expect(foreign.value.status, foreign.value.text).toBe(404);
        expect(missing.value.text).toBe(foreign.value.text);
        expect(missing.value.status).toBe(404);
        // The quota is on: telling the two refusals apart costs a second statement.
        expect(foreign.ran.length).toBeLessThanOrEqual(2);
      }
      expect(await owner.rows()).toEqual({ workspaces: 0, keys: 0 });
      expect(await stranger.rows()).toEqual({ workspaces: 0, keys: 0 });
    });

    it(`creates up to WORKSPACE_QUOTA=${QUOTA} workspaces and refuses one more; a replay still answers`, async () => {
      const { create, rows } = await seeded();
      const key = randomUUID();
      for (let i = 0; i < QUOTA; i++) {
        const response = await create({}, i === 0 ? key : undefined);
        expect(response.status, response.text).toBe(201);
      }
      const refused = await create();
      expect(refused.status, refused.text).toBe(429);
      const refusedKeyed = await create({}, randomUUID());
      expect(refusedKeyed.status, refusedKeyed.text).toBe(429);
      const replay = await create({}, key);
      expect(replay.status, replay.text).toBe(201);
      expect(await rows()).toEqual({ workspaces: QUOTA, keys: 1 });
    });

    it("takes over a key in flight for longer than 60 s, not one in flight for less", async () => {
      const { create, rows, user } = await seeded();
      const key = randomUUID();
      const where = { userId_key: { userId: user.id, key } };
      const now = Date.now();
      // A record in flight for this very request, as a gateway that reserved the key and died
      // would leave it: the first create's record, turned back to in flight, its workspace gone.
      const first = await create({}, key);
      expect(first.status, first.text).toBe(201);
      await database.prisma.workspace.deleteMany({ where: { project: { ownerId: user.id } } });
      await database.prisma.idempotencyRecord.update({
        where,
        data: {
          state: "in_flight",
          response: Prisma.DbNull,
          workspaceId: null,
          createdAt: new Date(now - IN_FLIGHT_TIMEOUT_MS + 5_000),
        },
      });
      const young = await create({}, key);
      expect(young.status, young.text).toBe(409);
      expect(await rows()).toEqual({ workspaces: 0, keys: 1 });

      await database.prisma.idempotencyRecord.update({
        where,
        data: { createdAt: new Date(now - IN_FLIGHT_TIMEOUT_MS - 1_000) },
      });
      const takeover = await create({}, key);
      expect(takeover.status, takeover.text).toBe(201);
      expect(await rows()).toEqual({ workspaces: 1, keys: 1 });
      const replay = await create({}, key);
      expect(replay.json).toEqual(takeover.json);
    });

    it("treats an expired key as new: a second workspace, not a replay", async () => {
      const { create, rows, user } = await seeded();
      const key = randomUUID();
      const first = await create({}, key);
      await database.prisma.idempotencyRecord.update({
        where: { userId_key: { userId: user.id, key } },
        data: { expiresAt: new Date(Date.now() - 1) },
      });
      const second = await create({}, key);
      expect(second.status, second.text).toBe(201);
      expect(second.headers.get("idempotent-replayed")).toBeNull();
      expect(second.json).not.toEqual(first.json);
      expect(await rows()).toEqual({ workspaces: 2, keys: 1 });
    });

    it("reads a workspace in one statement, the row Prisma reads; a foreign or deleted one is the same 404", async () => {
      const owner = await seeded();
      const stranger = await seeded();
      const created = await owner.create({ keep_active: true });
      const id = (created.json as { id: string }).id;
      const got = await counted(() => owner.api.get(`/workspaces/${id}`, { token: owner.token }));
      expect(got.value.status, got.value.text).toBe(200);
      expect(got.value.json).toEqual(created.json);
      expect(got.ran, got.ran.join("\n---\n")).toHaveLength(1);
      const read = await app.services.workspaces.get(owner.user.id, id);
      expect(read.ok && read.value).toEqual(
        await database.prisma.workspace.findUniqueOrThrow({ where: { id } }),
      );

      const foreign = await stranger.api.get(`/workspaces/${id}`, { token: stranger.token });
      const missing = await stranger.api.get(`/workspaces/${randomUUID()}`, {
        token: stranger.token,
      });
      expect(foreign.status).toBe(404);
      expect(foreign.text).toBe(missing.text);
      await database.prisma.workspace.update({ where: { id }, data: { desiredState: "deleted" } });
      const deleted = await owner.api.get(`/workspaces/${id}`, { token: owner.token });
      expect(deleted.status).toBe(404);
      expect(deleted.text).toBe(missing.text);
    });

    it("reads GraphQL bodies of exactly 1 MB and refuses one byte more with 413", async () => {
      const { token } = await seeded();
      const post = (bytes: number) => {
        // Padded with a GraphQL comment (no tokens, so the token limit does not interfere).
        const bare = JSON.stringify({ query: "{ viewer { id } } #" }).length;
        const body = JSON.stringify({ query: `{ viewer { id } } #${"x".repeat(bytes - bare)}` });
        expect(body.length).toBe(bytes);
        return fetch(`${url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body,
        });
      };
      const atLimit = await post(1024 * 1024);
      expect(atLimit.status).toBe(200);
      expect(
        ((await atLimit.json()) as { data: { viewer: { id: string } } }).data.viewer.id,
      ).toBeTruthy();
      const over = await post(1024 * 1024 + 1);
      expect(over.status).toBe(413);
      expect(await over.json()).toEqual({
        errors: [
          { message: "Request body too large", extensions: { code: "REQUEST_ENTITY_TOO_LARGE" } },
        ],
      });
    });

    // Needs a second session holding the lock: PostgreSQL only (PGlite has one connection).
    if (target.name === "postgres") {
      it("answers 409 while another request holds the key, then creates", async () => {
        const { create, rows, user } = await seeded();
        const key = randomUUID();
        // What a request in flight holds for the length of its statement (another session).
        const other = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await other.connect();
        try {
          await other.query("SELECT pg_advisory_lock(hashtextextended($1::text, 0))", [
            `${user.id}:${key}`,
          ]);
          const during = await create({}, key);
          expect(during.status, during.text).toBe(409);
          expect(during.headers.get("retry-after")).toBe("1");
          expect(await rows()).toEqual({ workspaces: 0, keys: 0 });
        } finally {
          await other.end();
        }
        const after = await create({}, key);
        expect(after.status, after.text).toBe(201);
        expect(await rows()).toEqual({ workspaces: 1, keys: 1 });
      });
    }
  });
});
