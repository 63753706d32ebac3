import { randomUUID } from "node:crypto";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import { databaseTargets } from "./kit/database.js";
import { type RestResponse, restClient, settleWorkspace } from "./kit/rest.js";
import { seedUser } from "./kit/seed.js";
import { useServer } from "./kit/server.js";

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document is walked as plain JSON
type Json = any;

const DOCUMENT_ID = "https://workspace-gateway.test/openapi.json";

/** The contract's REST routes (CONTRACT §2 and §8), as METHOD + OpenAPI path, sorted. */
const CONTRACT_OPERATIONS = [
  "DELETE /projects/{id}/members/{user_id}",
  "DELETE /user/tokens/{id}",
  "DELETE /webhooks/{id}",
  "DELETE /workspaces/{id}",
  "GET /openapi.json",
  "GET /projects",
  "GET /projects/{id}",
  "GET /projects/{id}/events",
  "GET /projects/{id}/members",
  "GET /projects/{id}/webhooks",
  "GET /projects/{id}/workspaces",
  "GET /user/settings",
  "GET /user/tokens",
  "GET /webhooks/{id}/deliveries",
  "GET /workspaces",
  "GET /workspaces/{id}",
  "GET /workspaces/{id}/events",
  "GET /workspaces/{id}/history",
  "GET /workspaces/{id}/wait",
  "PATCH /projects/{id}/members/{user_id}",
  "PATCH /workspaces/{id}",
  "POST /projects",
  "POST /projects/{id}/members",
  "POST /projects/{id}/webhooks",
  "POST /projects/{id}/workspaces",
  "POST /user/tokens",
  "POST /webhooks/{id}/deliveries/{delivery_id}/retry",
  "POST /workspaces/{id}/keepalive",
  "POST /workspaces/{id}/start",
  "POST /workspaces/{id}/stop",
  "PUT /user/settings",
];

function operations(document: Json): string[] {
  return Object.entries(document.paths as Record<string, Json>)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

/** Matches a concrete path to the document's templated one. */
function templateOf(document: Json, path: string): string | undefined {
  const bare = path.split("?")[0] ?? "";
  return Object.keys(document.paths).find((template) =>
    new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(bare),
  );
}

/** Checks a real response against the document: documented status, body and headers. */
function responseChecker(document: Json) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>();

  return (response: RestResponse): string[] => {
    const template = templateOf(document, response.path);
    if (template === undefined) return [`${response.path} is not in the document`];
    const operation = document.paths[template][response.method.toLowerCase()];
    if (operation === undefined) return [`${response.method} ${template} is not in the document`];
    const doc = operation.responses[String(response.status)];
    const label = `${response.method} ${template} → ${response.status}`;
    if (doc === undefined) return [`${label} is not documented`];
    const problems: string[] = [];
    for (const [name, header] of Object.entries(doc.headers ?? {}) as [string, Json][]) {
      if (header.required && !response.headers.has(name)) problems.push(`${label}: no ${name}`);
    }
    const schema = doc.content?.["application/json"]?.schema;
    if (schema === undefined) {
      if (response.text !== "") problems.push(`${label}: a body where none is documented`);
      return problems;
    }
    if (!response.headers.get("content-type")?.startsWith("application/json")) {
      problems.push(`${label}: content-type ${response.headers.get("content-type")}`);
    }
    const key = `${label}`;
    let validate = compiled.get(key);
    if (!validate) {
      validate = ajv.compile(schema.$ref ? { $ref: `${DOCUMENT_ID}${schema.$ref}` } : schema);
      compiled.set(key, validate);
    }
    if (!validate(response.json)) {
      problems.push(`${label}: ${ajv.errorsText(validate.errors)} in ${response.text}`);
    }
    return problems;
  };
}

describe.each(databaseTargets)("REST OpenAPI document on $name", (target) => {
  describe.skipIf(target.skip)("GET /openapi.json", () => {
    const server = useServer(target.open);
    let document: Json;

    beforeAll(async () => {
      const response = await restClient(server.url).get("/openapi.json");
      expect(response.status).toBe(200);
      document = response.json;
    });

    it("is a valid OpenAPI 3.1 document, served without a token", async () => {
      const validator = new Validator();
      const result = await validator.validate(structuredClone(document));
      expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)).toEqual([]);
      expect(result.valid).toBe(true);
      expect(validator.version).toBe("3.1");
    });

    it("describes every REST route of the contract, and only those", () => {
      expect(operations(document)).toEqual(CONTRACT_OPERATIONS);
    });

    it("describes the request bodies with the schemas the routes validate with", () => {
      const { schemas } = document.components;
      expect(schemas.CreateWorkspaceRequest.additionalProperties).toBe(false);
      expect(Object.keys(schemas.CreateWorkspaceRequest.properties).sort()).toEqual([
        "auto_delete_minutes",
        "auto_stop_minutes",
        "hardware",
        "keep_active",
        "labels",
        "max_run_minutes",
      ]);
      expect(schemas.HardwareRequest.additionalProperties).toBe(false);
      expect(Object.keys(schemas.HardwareRequest.properties).sort()).toEqual([
        "cpu_kind",
        "cpus",
        "gpu_kind",
        "memory_mb",
        "volume_size_gb",
      ]);
      expect(schemas.Workspace.required.sort()).toEqual(
        Object.keys(schemas.Workspace.properties).sort(),
      );
      const create = document.paths["/projects/{id}/workspaces"].post;
      expect(create.requestBody.content["application/json"].schema).toEqual({
        $ref: "#/components/schemas/CreateWorkspaceRequest",
      });
      expect(create.parameters.map((p: Json) => `${p.in}:${p.name}`)).toEqual([
        "path:id",
        "header:Idempotency-Key",
      ]);
      expect(schemas.CreateProjectRequest.additionalProperties).toBe(false);
      expect(Object.keys(schemas.CreateProjectRequest.properties).sort()).toEqual([
        "default_branch",
        "name",
      ]);
      expect(schemas.CreateProjectRequest.required).toEqual(["name"]);
      const createProject = document.paths["/projects"].post;
      expect(createProject.requestBody.content["application/json"].schema).toEqual({
        $ref: "#/components/schemas/CreateProjectRequest",
      });
      expect(createProject.parameters.map((p: Json) => `${p.in}:${p.name}`)).toEqual([
        "header:Idempotency-Key",
      ]);
      const listProjects = document.paths["/projects"].get;
      // The project list pages like the workspace lists, which also filter.
      expect(listProjects.parameters.map((p: Json) => `${p.in}:${p.name}`)).toEqual(
        document.paths["/projects/{id}/workspaces"].get.parameters
          .filter((p: Json) => p.in === "query" && !["status", "label"].includes(p.name))
          .map((p: Json) => `${p.in}:${p.name}`),
      );
      for (const path of ["/workspaces", "/projects/{id}/workspaces"]) {
        expect(
          document.paths[path].get.parameters
            .filter((p: Json) => p.in === "query")
            .map((p: Json) => p.name),
        ).toEqual(["limit", "after", "status", "label"]);
      }
      expect(Object.keys(schemas.UpdateWorkspaceRequest.properties).sort()).toEqual([
        "auto_delete_minutes",
        "auto_stop_minutes",
        "hardware",
        "keep_active",
        "labels",
        "max_run_minutes",
      ]);
    });

    it("matches the real responses of the server, every route and status", async () => {
      const check = responseChecker(document);
      const problems: string[] = [];
      const seen = new Set<string>();
      const api = restClient(server.url, (response) => {
        problems.push(...check(response));
        seen.add(`${response.method} ${templateOf(document, response.path)} ${response.status}`);
      });
      const { token, project } = await seedUser(server.services, "rest-openapi");
      const other = await seedUser(server.services, "rest-openapi-other");
      const list = `/projects/${project.id}/workspaces`;

      await api.get("/openapi.json");
      const created = await api.post(list, { token, json: { keep_active: true } });
      const id = created.json.id as string;
      const key = randomUUID();
      await api.post(list, { token, json: {}, headers: { "idempotency-key": key } });
      await api.post(list, { token, json: {}, headers: { "idempotency-key": key } });
      await api.post(list, {
        token,
        json: { keep_active: true },
        headers: { "idempotency-key": key },
      });
      await api.post(list, { token, json: { hardware: { cpus: 3 } } });
      await api.post(list, { token, body: "{", headers: { "content-type": "application/json" } });
      await api.post(list, { token, body: "{}", headers: { "content-type": "text/plain" } });
      await api.post(list, { token, json: { padding: "x".repeat(1024 * 1024) } });
      await api.post(list, { json: {} });
      await api.post(`/projects/${other.project.id}/workspaces`, { token, json: {} });
      await api.get(list, { token });
      await api.get(`/projects/${randomUUID()}/workspaces`, { token });
      await api.get(`/workspaces/${id}`, { token });
      await api.get(`/workspaces/${randomUUID()}`, { token });
      await settleWorkspace(server, id, "running");
      await api.post(`/workspaces/${id}/start`, { token });
      await api.post(`/workspaces/${id}/stop`, { token });
      await settleWorkspace(server, id, "stopped");
      await api.post(`/workspaces/${id}/stop`, { token });
      await api.post(`/workspaces/${id}/start`, { token });
      await api.post(`/workspaces/${randomUUID()}/stop`, { token });
      const projectKey = randomUUID();
      const newProject = await api.post("/projects", {
        token,
        json: { name: "openapi" },
        headers: { "idempotency-key": projectKey },
      });
      await api.post("/projects", {
        token,
        json: { name: "openapi" },
        headers: { "idempotency-key": projectKey },
      });
      await api.post("/projects", {
        token,
        json: { name: "other" },
        headers: { "idempotency-key": projectKey },
      });
      await api.post("/projects", { token, json: { name: "" } });
      await api.post("/projects", { json: { name: "x" } });
      await api.get("/projects", { token });
      const firstPage = await api.get("/projects?limit=1", { token });
      await api.get(`/projects?limit=1&after=${firstPage.json.next}`, { token });
      await api.get("/projects?limit=101", { token });
      await api.get(`/projects/${newProject.json.id}`, { token });
      await api.get(`/projects/${other.project.id}`, { token });
      await api.get("/user/settings", { token });
      await api.put("/user/settings", { token, json: { default_hardware: { cpus: 4 } } });
      await api.put("/user/settings", { token, json: { default_hardware: { cpus: 5 } } });
      await api.get("/user/settings", { token: "wrong" });
      await api.delete(`/workspaces/${id}`, { token });
      await api.delete(`/workspaces/${id}`, { token });

      expect(problems).toEqual([]);
      for (const expected of [
        "POST /projects/{id}/workspaces 201",
        "POST /projects/{id}/workspaces 400",
        "POST /projects/{id}/workspaces 401",
        "POST /projects/{id}/workspaces 404",
        "POST /projects/{id}/workspaces 413",
        "POST /projects/{id}/workspaces 415",
        "POST /projects/{id}/workspaces 422",
        "GET /projects/{id}/workspaces 200",
        "GET /projects/{id}/workspaces 404",
        "GET /workspaces/{id} 200",
        "GET /workspaces/{id} 404",
        "POST /workspaces/{id}/stop 200",
        "POST /workspaces/{id}/stop 400",
        "POST /workspaces/{id}/stop 404",
        "POST /workspaces/{id}/start 200",
        "POST /workspaces/{id}/start 400",
        "DELETE /workspaces/{id} 204",
        "DELETE /workspaces/{id} 404",
        "GET /user/settings 200",
        "GET /user/settings 401",
        "PUT /user/settings 200",
        "PUT /user/settings 400",
        "GET /openapi.json 200",
        "POST /projects 201",
        "POST /projects 400",
        "POST /projects 401",
        "POST /projects 422",
        "GET /projects 200",
        "GET /projects 400",
        "GET /projects/{id} 200",
        "GET /projects/{id} 404",
      ]) {
        expect([...seen], expected).toContain(expected);
      }
    });

    it("matches the real responses of the routes of CONTRACT §8 (policies, history, teams, tokens, webhooks)", async () => {
      const check = responseChecker(document);
      const problems: string[] = [];
      const seen = new Set<string>();
      const api = restClient(server.url, (response) => {
        problems.push(...check(response));
        seen.add(`${response.method} ${templateOf(document, response.path)} ${response.status}`);
      });
      const { token, project } = await seedUser(server.services, "rest-openapi-8");
      const teammate = await seedUser(server.services, "rest-openapi-8-teammate");
      const missing = randomUUID();

      const created = await api.post(`/projects/${project.id}/workspaces`, {
        token,
        json: { keep_active: true, labels: { team: "gateway" } },
      });
      const id = created.json.id as string;
      await api.request("PATCH", `/workspaces/${id}`, {
        token,
        json: { auto_stop_minutes: 30, labels: { tier: "dev" } },
        headers: { "content-type": "application/merge-patch+json" },
      });
      await api.request("PATCH", `/workspaces/${id}`, { token, json: { auto_stop_minutes: -1 } });
      await api.request("PATCH", `/workspaces/${missing}`, { token, json: {} });
      await settleWorkspace(server, id, "running");
      await api.post(`/workspaces/${id}/keepalive`, { token });
      await api.post(`/workspaces/${missing}/keepalive`, { token });
      await api.get("/workspaces?status=running&label=team=gateway", { token });
      await api.get("/workspaces?label=not a label", { token });
      await api.get(`/workspaces/${id}/history`, { token });
      await api.get(`/workspaces/${missing}/history`, { token });
      await api.get(`/projects/${project.id}/events?limit=1`, { token });
      await api.get(`/projects/${project.id}/events?limit=101`, { token });
      await api.get(`/projects/${missing}/events`, { token });

      await api.post(`/projects/${project.id}/members`, {
        token,
        json: { email: teammate.user.email, role: "viewer" },
      });
      await api.post(`/projects/${project.id}/members`, {
        token,
        json: { email: "x", role: "owner" },
      });
      await api.get(`/projects/${project.id}/members`, { token });
      await api.get(`/projects/${missing}/members`, { token });
      const members = `/projects/${project.id}/members`;
      await api.request("PATCH", `${members}/${teammate.user.id}`, {
        token,
        json: { role: "developer" },
      });
      // A developer may not manage members: 403, in the document too.
      await api.request("PATCH", `${members}/${teammate.user.id}`, {
        token: teammate.token,
        json: { role: "admin" },
      });
      await api.delete(`${members}/${teammate.user.id}`, { token });
      await api.delete(`${members}/${missing}`, { token });

      const issued = await api.post("/user/tokens", {
        token,
        json: { name: "ci", project_id: project.id, role: "viewer", expires_in_days: 30 },
      });
      await api.post("/user/tokens", { token, json: { name: "" } });
      await api.get("/user/tokens", { token });
      await api.delete(`/user/tokens/${issued.json.id}`, { token });
      await api.delete(`/user/tokens/${missing}`, { token });

      const webhook = await api.post(`/projects/${project.id}/webhooks`, {
        token,
        json: { url: "https://example.com/hooks", event_types: ["workspace.deleted"] },
      });
      await api.post(`/projects/${project.id}/webhooks`, { token, json: { url: "ftp://x" } });
      await api.get(`/projects/${project.id}/webhooks`, { token });
      await api.get(`/webhooks/${webhook.json.id}/deliveries`, { token });
      await api.get(`/webhooks/${missing}/deliveries`, { token });
      await api.post(`/webhooks/${webhook.json.id}/deliveries/${missing}/retry`, { token });
      await api.delete(`/webhooks/${webhook.json.id}`, { token });
      await api.delete(`/webhooks/${webhook.json.id}`, { token });

      expect(problems).toEqual([]);
      for (const expected of [
        "PATCH /workspaces/{id} 200",
        "PATCH /workspaces/{id} 400",
        "PATCH /workspaces/{id} 404",
        "POST /workspaces/{id}/keepalive 200",
        "POST /workspaces/{id}/keepalive 404",
        "GET /workspaces 200",
        "GET /workspaces 400",
        "GET /workspaces/{id}/history 200",
        "GET /workspaces/{id}/history 404",
        "GET /projects/{id}/events 200",
        "GET /projects/{id}/events 400",
        "GET /projects/{id}/events 404",
        "POST /projects/{id}/members 201",
        "POST /projects/{id}/members 400",
        "GET /projects/{id}/members 200",
        "GET /projects/{id}/members 404",
        "PATCH /projects/{id}/members/{user_id} 200",
        "PATCH /projects/{id}/members/{user_id} 403",
        "DELETE /projects/{id}/members/{user_id} 204",
        "DELETE /projects/{id}/members/{user_id} 404",
        "POST /user/tokens 201",
        "POST /user/tokens 400",
        "GET /user/tokens 200",
        "DELETE /user/tokens/{id} 204",
        "DELETE /user/tokens/{id} 404",
        "POST /projects/{id}/webhooks 201",
        "POST /projects/{id}/webhooks 400",
        "GET /projects/{id}/webhooks 200",
        "GET /webhooks/{id}/deliveries 200",
        "GET /webhooks/{id}/deliveries 404",
        "POST /webhooks/{id}/deliveries/{delivery_id}/retry 404",
        "DELETE /webhooks/{id} 204",
        "DELETE /webhooks/{id} 404",
      ]) {
        expect([...seen], expected).toContain(expected);
      }
    });
  });
});
