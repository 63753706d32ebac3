import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Prisma } from "../src/generated/prisma/client.js";
import { databaseTargets } from "./kit/database.js";
import { seedRestUser } from "./kit/rest.js";
import { useServer } from "./kit/server.js";

describe.each(databaseTargets)("REST Idempotency-Key on $name", (target) => {
  describe.skipIf(target.skip)("POST /projects/:id/workspaces with Idempotency-Key", () => {
    const server = useServer(target.open);
    afterEach(() => {
      vi.restoreAllMocks();
    });

    async function seeded() {
      const seed = await seedRestUser(server, "rest-idem");
      const create = (key: string, json: unknown = {}, token = seed.token) =>
        seed.api.post(seed.path, { token, json, headers: { "idempotency-key": key } });
      return { ...seed, create };
    }

    it("replays the first response for the same key and body, with no new row", async () => {
      const { create, rows } = await seeded();
      const key = randomUUID();
      const body = { hardware: { cpus: 4, memory_mb: 4096 }, keep_active: true };
      const first = await create(key, body);
      expect(first.status, first.text).toBe(201);
      expect(first.headers.get("idempotent-replayed")).toBeNull();

      const replay = await create(key, body);
      expect(replay.status, replay.text).toBe(201);
      expect(replay.text).toBe(first.text);
      expect(replay.headers.get("location")).toBe(first.headers.get("location"));
      expect(replay.headers.get("idempotent-replayed")).toBe("true");
      expect(await rows()).toEqual({ workspaces: 1, idempotencyRecords: 1 });
    });

    it("replays when the body is the same request written differently", async () => {
      const { api, path, token, create, rows } = await seeded();
      const key = randomUUID();
      const first = await create(key, {
        keep_active: false,
        hardware: { memory_mb: 2048, cpus: 2 },
      });
      expect(first.status, first.text).toBe(201);
      const reordered = await api.post(path, {
        token,
        body: '{ "hardware": { "cpus": 2, "memory_mb": 2048 }, "keep_active": false }',
        headers: { "content-type": "application/json", "idempotency-key": key },
      });
      expect(reordered.status, reordered.text).toBe(201);
      expect(reordered.json.id).toBe(first.json.id);

      const emptyKey = randomUUID();
      const empty = await api.post(path, { token, headers: { "idempotency-key": emptyKey } });
      for (const json of [{}, { hardware: null }, { keep_active: false }]) {
        const again = await create(emptyKey, json);
        expect(again.status, JSON.stringify(json)).toBe(201);
        expect(again.json.id).toBe(empty.json.id);
      }
      expect((await rows()).workspaces).toBe(2);
    });

    it("answers 422 when the key is reused with a different body, and writes nothing", async () => {
      const { create, rows } = await seeded();
      const key = randomUUID();
      expect((await create(key, { keep_active: true })).status).toBe(201);
      const before = await rows();

      const reused = await create(key, { keep_active: false });
      expect(reused.status, reused.text).toBe(422);
      expect(Object.keys(reused.json)).toEqual(["error"]);
      expect(await rows()).toEqual(before);
    });

    it("answers 422 when the key is reused for another project", async () => {
      const { create, user, api, token } = await seeded();
      const second = await server.services.projects.create(user.id, { name: "second" });
      if (!second.ok) throw new Error(second.error.message);
      const key = randomUUID();
      expect((await create(key)).status).toBe(201);
      const other = await api.post(`/projects/${second.value.id}/workspaces`, {
        token,
        json: {},
        headers: { "idempotency-key": key },
      });
      expect(other.status, other.text).toBe(422);
    });

    it("keeps keys per user: another user's identical key creates its own workspace", async () => {
      const alice = await seeded();
      const bob = await seeded();
      const key = randomUUID();
      const a = await alice.create(key);
      const b = await bob.create(key);
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(a.json.id).not.toBe(b.json.id);
    });

    it("accepts a key of exactly 255 characters", async () => {
      const { create } = await seeded();
      const key = `${randomUUID()}${"k".repeat(255 - 36)}`;
      const first = await create(key);
      expect(first.status, first.text).toBe(201);
      expect((await create(key)).json.id).toBe(first.json.id);
    });

    it("rejects an empty key with 400 and stores nothing", async () => {
      const { create, rows } = await seeded();
      const response = await create("");
      expect(response.status, response.text).toBe(400);
      expect(await rows()).toEqual({ workspaces: 0, idempotencyRecords: 0 });
    });

    it("answers 409 while an earlier request with the key is in flight, then replays it", async () => {
      const { create, rows, user } = await seeded();
      const { prisma } = server.database;
      const key = randomUUID();
      // A record in flight under the same fingerprint: what a gateway of the previous version
      // (reserve, then create) left while its request ran. This version holds a key only for the
      // length of its one statement (test/create-path.test.ts: "another request holds the key").
      const first = await create(key, { keep_active: true });
      expect(first.status, first.text).toBe(201);
      const where = { userId_key: { userId: user.id, key } };
      const { response } = await prisma.idempotencyRecord.findUniqueOrThrow({ where });
      await prisma.idempotencyRecord.update({
        where,
        data: { state: "in_flight", response: Prisma.DbNull },
      });
      const during = await create(key, { keep_active: true });
      expect(during.status, during.text).toBe(409);
      expect(Object.keys(during.json)).toEqual(["error"]);
      expect(during.headers.get("retry-after")).toBe("1");

      // The request completes.
      await prisma.idempotencyRecord.update({
        where,
        data: { state: "completed", response: response ?? Prisma.DbNull },
      });
      const after = await create(key, { keep_active: true });
      expect(after.status).toBe(201);
      expect(after.json).toEqual(first.json);
      expect(await rows()).toEqual({ workspaces: 1, idempotencyRecords: 1 });
    });

    it("creates exactly one workspace for 50 concurrent requests with one key", async () => {
      const { create, rows } = await seeded();
      const key = randomUUID();
      const body = { hardware: { cpus: 1, memory_mb: 1024 } };
      const responses = await Promise.all(Array.from({ length: 50 }, () => create(key, body)));
      const statuses = responses.map((response) => response.status);
      expect(
        statuses.every((status) => status === 201 || status === 409),
        statuses.join(),
      ).toBe(true);
      const ids = new Set(responses.filter((r) => r.status === 201).map((r) => r.json.id));
      expect(ids.size).toBe(1);
      expect(await rows()).toEqual({ workspaces: 1, idempotencyRecords: 1 });
      const settled = await create(key, body);
      expect(settled.status).toBe(201);
      expect(ids.has(settled.json.id)).toBe(true);
    });
  });
});
