import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { installHttpErrors } from "../src/rest/errors.js";
import { generateToken } from "../src/services/token-format.js";
import { databaseTargets } from "./kit/database.js";
import { countRows, type RestResponse, restClient, seedRestUser } from "./kit/rest.js";
import { seedUser } from "./kit/seed.js";
import { useServer } from "./kit/server.js";

const CHALLENGE = 'Bearer realm="workspace-gateway"';

/** `{"error": "<message>"}`, optionally with details; nothing else, and JSON. */
function expectErrorBody(response: RestResponse, status: number) {
  expect(response.status, response.text).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  expect(Object.keys(response.json).sort()).toEqual(
    "details" in response.json ? ["details", "error"] : ["error"],
  );
  expect(typeof response.json.error).toBe("string");
  expect(response.json.error.length).toBeGreaterThan(0);
  for (const detail of response.json.details ?? []) {
    expect(Object.keys(detail).sort()).toEqual(["field", "message"]);
  }
  return response.json as { error: string; details?: { field: string; message: string }[] };
}

describe.each(databaseTargets)("REST errors on $name", (target) => {
  describe.skipIf(target.skip)("rejections", () => {
    const server = useServer(target.open);
    afterEach(() => {
      vi.restoreAllMocks();
    });

    const seeded = () => seedRestUser(server, "rest-errors");

    describe("401 Unauthorized", () => {
      it("challenges a request without credentials, without an error code", async () => {
        const { api, path, rows } = await seeded();
        const withoutBearer: Record<string, string>[] = [
          {},
          { authorization: "Basic dXNlcjpwYXNz" },
        ];
        for (const headers of withoutBearer) {
          const response = await api.post(path, { headers, json: {} });
          expectErrorBody(response, 401);
          expect(response.headers.get("www-authenticate")).toBe(CHALLENGE);
        }
        expect(await rows()).toEqual({ workspaces: 0, idempotencyRecords: 0 });
      });

      it("answers invalid_token for malformed, unknown and revoked bearer tokens", async () => {
        const { api, path, rows, token } = await seeded();
        const revoked = await seedUser(server.services, "rest-revoked");
        await server.services.tokens.revoke(revoked.token);
        const presented = [
          "Bearer",
          "Bearer ",
          "Bearer not-a-token",
          `Bearer ${token}x`,
          `Bearer ${generateToken()}`,
          `Bearer ${revoked.token}`,
        ];
        for (const authorization of presented) {
          const response = await api.post(path, {
            headers: { authorization, "idempotency-key": randomUUID() },
            json: {},
          });
          expectErrorBody(response, 401);
          expect(response.headers.get("www-authenticate"), authorization).toBe(
            `${CHALLENGE}, error="invalid_token"`,
          );
        }
        const revokedPath = `/projects/${revoked.project.id}/workspaces`;
        expectErrorBody(await api.post(revokedPath, { token: revoked.token }), 401);
        expect(await rows()).toEqual({ workspaces: 0, idempotencyRecords: 0 });
        expect(
          await countRows(server, { projectId: revoked.project.id, userId: revoked.user.id }),
        ).toEqual({ workspaces: 0, idempotencyRecords: 0 });
      });

      it("checks the token before reading the body", async () => {
        const { api, path } = await seeded();
        const response = await api.post(path, {
          body: "{not json",
          headers: { "content-type": "application/json" },
        });
        expectErrorBody(response, 401);
      });

      it("guards every REST route", async () => {
        const { api } = await seeded();
        const id = randomUUID();
        const routes: [string, string][] = [
          ["GET", `/projects/${id}/workspaces`],
          ["POST", `/projects/${id}/workspaces`],
          ["GET", `/workspaces/${id}`],
          ["POST", `/workspaces/${id}/stop`],
          ["POST", `/workspaces/${id}/start`],
          ["DELETE", `/workspaces/${id}`],
          ["GET", "/user/settings"],
          ["PUT", "/user/settings"],
        ];
        for (const [method, path] of routes) {
          const response = await api.request(method, path);
          expectErrorBody(response, 401);
          expect(response.headers.get("www-authenticate")).toBe(CHALLENGE);
        }
      });
    });

    describe("404 for a project the caller may not use", () => {
      it("answers byte-identical bodies for a non-UUID, a missing project and another user's", async () => {
        const { api, token, rows, user } = await seeded();
        const other = await seedUser(server.services, "rest-other");
        const ids = ["not-a-uuid", "x".repeat(300), randomUUID(), other.project.id];
        const texts = new Set<string>();
        for (const id of ids) {
          const response = await api.post(`/projects/${id}/workspaces`, {
            token,
            headers: { "idempotency-key": randomUUID() },
            json: { keep_active: true },
          });
          expectErrorBody(response, 404);
          texts.add(response.text);
        }
        expect([...texts]).toEqual(['{"error":"project not found"}']);
        expect(
          await countRows(server, { projectId: other.project.id, userId: other.user.id }),
        ).toEqual({ workspaces: 0, idempotencyRecords: 0 });
        expect(await countRows(server, { projectId: other.project.id, userId: user.id })).toEqual({
          workspaces: 0,
          idempotencyRecords: 0,
        });
        expect((await rows()).idempotencyRecords).toBe(0);
      });
    });

    describe("400 Bad Request", () => {
      const badBodies: { name: string; body: string; fields: string[] }[] = [
        { name: "malformed JSON", body: '{"hardware": {', fields: [] },
        { name: "an array", body: "[]", fields: [] },
        { name: "a string", body: '"hello"', fields: [] },
        { name: "a number", body: "42", fields: [] },
        { name: "null", body: "null", fields: [] },
        { name: "an unknown top-level key", body: '{"name": "x"}', fields: ["name"] },
        {
          name: "an unknown hardware key",
          body: '{"hardware": {"cpus": 2, "disk": 5}}',
          fields: ["hardware.disk"],
        },
        {
          name: "keep_active of the wrong type",
          body: '{"keep_active": "yes"}',
          fields: ["keep_active"],
        },
        { name: "hardware of the wrong type", body: '{"hardware": "big"}', fields: ["hardware"] },
        {
          name: "cpus as a string",
          body: '{"hardware": {"cpus": "2"}}',
          fields: ["hardware.cpus"],
        },
        {
          name: "cpus as a fraction",
          body: '{"hardware": {"cpus": 2.5}}',
          fields: ["hardware.cpus"],
        },
        {
          name: "gpu_kind of the wrong type",
          body: '{"hardware": {"gpu_kind": 1}}',
          fields: ["hardware.gpu_kind"],
        },
        {
          name: "several broken rules at once",
          body: '{"hardware": {"cpus": 3, "volume_size_gb": 0}}',
          fields: ["hardware.cpus", "hardware.volume_size_gb"],
        },
        {
          name: "a cpus count not on offer",
          body: '{"hardware": {"cpus": 3}}',
          fields: ["hardware.cpus"],
        },
        {
          name: "memory out of range for the cpus",
          body: '{"hardware": {"cpus": 1, "memory_mb": 4096}}',
          fields: ["hardware.memory_mb"],
        },
        {
          name: "a GPU that is not on offer",
          body: '{"hardware": {"cpu_kind": "performance", "memory_mb": 4096, "gpu_kind": "a100"}}',
          fields: ["hardware.gpu_kind"],
        },
        {
          name: "several problems at once",
          body: '{"hardware": {"cpu_kind": "huge", "volume_size_gb": "big"}, "extra": 1}',
          fields: ["extra", "hardware.cpu_kind", "hardware.volume_size_gb"],
        },
      ];

      it.each(badBodies)(
        "rejects $name with a clear error and stores nothing",
        async ({ body, fields }) => {
          const { api, path, token, rows } = await seeded();
          const response = await api.post(path, {
            token,
            body,
            headers: { "content-type": "application/json", "idempotency-key": randomUUID() },
          });
          const error = expectErrorBody(response, 400);
          expect((error.details ?? []).map((d) => d.field).sort()).toEqual(fields);
          for (const detail of error.details ?? [])
            expect(detail.message.length).toBeGreaterThan(0);
          expect(await rows()).toEqual({ workspaces: 0, idempotencyRecords: 0 });
        },
      );

      it("says which value is wrong and what is allowed", async () => {
        const { api, path, token } = await seeded();
        const response = await api.post(path, { token, json: { hardware: { cpus: 3 } } });
        const error = expectErrorBody(response, 400);
        expect(error.details).toEqual([
          { field: "hardware.cpus", message: expect.stringMatching(/1, 2, 4, 6, 8/) },
        ]);
        expect(error.error).toMatch(/hardware\.cpus/);
      });

      it("rejects an Idempotency-Key longer than 255 characters and stores nothing", async () => {
        const { api, path, token, rows } = await seeded();
        const response = await api.post(path, {
          token,
          json: {},
          headers: { "idempotency-key": "k".repeat(256) },
        });
        const error = expectErrorBody(response, 400);
        expect(error.details?.map((d) => d.field)).toEqual(["Idempotency-Key"]);
        expect(await rows()).toEqual({ workspaces: 0, idempotencyRecords: 0 });
      });
    });

    describe("413 and 415", () => {
      it("answers 413 to a body over 1 MB and stores nothing", async () => {
        const { api, path, token, rows } = await seeded();
        const response = await api.post(path, {
          token,
          json: { keep_active: true, padding: "x".repeat(1024 * 1024) },
          headers: { "idempotency-key": randomUUID() },
        });
        expectErrorBody(response, 413);
        expect(await rows()).toEqual({ workspaces: 0, idempotencyRecords: 0 });
      });

      it("answers 415 to a body that is not application/json and stores nothing", async () => {
        const { api, path, token, rows } = await seeded();
        const types = ["text/plain", "application/x-www-form-urlencoded", "application/xml"];
        for (const type of types) {
          const response = await api.post(path, {
            token,
            body: "{}",
            headers: { "content-type": type, "idempotency-key": randomUUID() },
          });
          expectErrorBody(response, 415);
        }
        const settings = await api.put("/user/settings", {
          token,
          body: "default_hardware=1",
          headers: { "content-type": "application/x-www-form-urlencoded" },
        });
        expectErrorBody(settings, 415);
        expect(await rows()).toEqual({ workspaces: 0, idempotencyRecords: 0 });
      });
    });

    describe("unknown routes and methods", () => {
      it("answers 404 JSON for an unknown route", async () => {
        const { api, token } = await seeded();
        // `/project` (singular) and `/users`: near a real route, but none.
        const unknown = [
          "/nope",
          "/project",
          "/users",
          `/projects/${randomUUID()}/workspaces/extra`,
        ];
        for (const path of unknown) {
          const response = await api.get(path, { token });
          expectErrorBody(response, 404);
          expect(response.text).toBe('{"error":"not found"}');
        }
      });

      it("answers 405 with an Allow header for a known route asked with another method", async () => {
        const { api, token } = await seeded();
        const id = randomUUID();
        const cases: [string, string, string][] = [
          ["DELETE", `/projects/${id}/workspaces`, "GET, HEAD, POST"],
          ["PUT", `/workspaces/${id}`, "GET, HEAD, PATCH, DELETE"],
          ["GET", `/workspaces/${id}/stop`, "POST"],
          ["DELETE", "/user/settings", "GET, HEAD, PUT"],
          ["POST", "/healthz", "GET, HEAD"],
          ["POST", "/openapi.json", "GET, HEAD"],
        ];
        for (const [method, path, allow] of cases) {
          const response = await api.request(method, path, { token });
          expectErrorBody(response, 405);
          expect(response.headers.get("allow"), `${method} ${path}`).toBe(allow);
        }
      });

      it("lists the methods of /graphql in a 405's Allow header", async () => {
        const response = await restClient(server.url).request("PATCH", "/graphql");
        expect(response.status, response.text).toBe(405);
        const allow = (response.headers.get("allow") ?? "").split(", ");
        expect(allow).toEqual(expect.arrayContaining(["GET", "POST"]));
      });

      it("leaves /graphql's answers to GraphQL, errors included", async () => {
        const api = restClient(server.url);
        const malformed = await api.post("/graphql", {
          body: "{",
          headers: { "content-type": "application/json" },
        });
        const unauthenticated = await api.post("/graphql", {
          json: { query: "{ viewer { id } }" },
        });
        for (const response of [malformed, unauthenticated]) {
          expect(response.status, response.text).toBeGreaterThanOrEqual(400);
          expect(response.json).toHaveProperty("errors");
          expect(response.json).not.toHaveProperty("error");
        }
      });

      it("answers OPTIONS with 204 and the allowed methods", async () => {
        const api = restClient(server.url);
        const response = await api.request("OPTIONS", `/workspaces/${randomUUID()}`);
        expect(response.status).toBe(204);
        expect(response.headers.get("allow")).toBe("GET, HEAD, PATCH, DELETE, OPTIONS");
      });
    });

    describe("500 Internal Server Error", () => {
      it("answers an unexpected failure with a fixed body and no internals", async () => {
        const { api, path, token, rows } = await seeded();
        vi.spyOn(server.services.workspaces, "create").mockRejectedValueOnce(
          new Error('PrismaClientKnownRequestError: relation "workspaces" violates constraint'),
        );
        const response = await api.post(path, { token, json: {} });
        expectErrorBody(response, 500);
        expect(response.text).toBe('{"error":"internal error"}');
        expect(await rows()).toEqual({ workspaces: 0, idempotencyRecords: 0 });
      });
    });
  });
});

/**
 * installHttpErrors on a bare Fastify whose log is captured: what the app-wide handlers log and
 * answer, apart from any route of ours.
 */
describe("app-wide HTTP error handling", () => {
  const logLines: Record<string, unknown>[] = [];
  let http: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    http = Fastify({
      logger: {
        level: "error",
        stream: { write: (line: string) => logLines.push(JSON.parse(line)) },
      },
    });
    installHttpErrors(http);
    http.get("/boom", async () => {
      throw new Error('duplicate key value violates unique constraint "users_email_key"');
    });
    await http.listen({ port: 0, host: "127.0.0.1" });
    url = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await http.close();
  });

  it("logs an unexpected failure with its request id and answers a fixed 500 body", async () => {
    const response = await fetch(`${url}/boom`);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('{"error":"internal error"}');
    const logged = logLines.find((line) => line.msg === "request failed unexpectedly");
    expect(logged?.reqId).toEqual(expect.any(String));
    expect(JSON.stringify(logged?.err)).toMatch(/users_email_key/);
  });
});
