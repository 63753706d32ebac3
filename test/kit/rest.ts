/**
 * REST for the suites: one client (`restClient`) that answers raw responses, for the suites that
 * test the shim's answers; on top of it, `Rest`'s typed workspace calls for the suites that only
 * drive a server; and what the REST suites share: a seeded user with a client, row counts,
 * settled workspaces and the documented shapes.
 */
import { seedUser } from "./seed.js";
import type { TestServer } from "./server.js";

/** A response read once: status, headers, the raw text and (when it parses) the JSON. */
export interface RestResponse {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever shape the route answers
  json: any;
  method: string;
  path: string;
}

export interface RestRequest {
  token?: string | undefined;
  /** Sent as JSON with Content-Type: application/json. */
  json?: unknown;
  /** Sent as is; set the Content-Type yourself in `headers`. */
  body?: string;
  headers?: Record<string, string>;
}

/** Real HTTP against the server at `url`; every response is also handed to `onResponse`. */
export function restClient(url: string, onResponse?: (response: RestResponse) => void) {
  async function request(method: string, path: string, options: RestRequest = {}) {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.body;
    if (options.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.json);
    }
    Object.assign(headers, options.headers);
    const response = await fetch(`${url}${path}`, { method, headers, body });
    const text = await response.text();
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    const result: RestResponse = {
      status: response.status,
      headers: response.headers,
      text,
      json,
      method,
      path,
    };
    onResponse?.(result);
    return result;
  }
  return {
    request,
    get: (path: string, options?: RestRequest) => request("GET", path, options),
    post: (path: string, options?: RestRequest) => request("POST", path, options),
    put: (path: string, options?: RestRequest) => request("PUT", path, options),
    delete: (path: string, options?: RestRequest) => request("DELETE", path, options),
  };
}

export type RestClient = ReturnType<typeof restClient>;

/** The REST workspace object (CONTRACT §2), as far as the suites that drive a server read it. */
export interface RestWorkspace {
  id: string;
  project_id: string;
  status: string;
  keep_active: boolean;
  machine_id: string | null;
  private_ip: string | null;
  git_ref: string | null;
  error_message: string | null;
  updated_at: string;
}

/** Workspace calls as `token`, each failing with the answer unless it has its documented status. */
export class Rest {
  private readonly api: RestClient;

  constructor(
    readonly url: string,
    readonly token: string,
  ) {
    this.api = restClient(url);
  }

  async createWorkspace(projectId: string, body: object = {}): Promise<RestWorkspace> {
    const response = await this.api.post(`/projects/${projectId}/workspaces`, {
      token: this.token,
      json: body,
    });
    return expectStatus(response, 201, "create workspace");
  }

  async getWorkspace(id: string): Promise<RestWorkspace | null> {
    const response = await this.api.get(`/workspaces/${id}`, { token: this.token });
    if (response.status === 404) return null;
    return expectStatus(response, 200, "get workspace");
  }

  async act(id: string, action: "start" | "stop"): Promise<RestWorkspace> {
    const response = await this.api.post(`/workspaces/${id}/${action}`, { token: this.token });
    return expectStatus(response, 200, `${action} workspace`);
  }

  async deleteWorkspace(id: string): Promise<void> {
    const response = await this.api.delete(`/workspaces/${id}`, { token: this.token });
    if (response.status !== 204) {
      throw new Error(`delete workspace: ${response.status} ${response.text}`);
    }
  }
}

function expectStatus<T>(response: RestResponse, status: number, what: string): T {
  if (response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status}: ${response.text}`);
  }
  return JSON.parse(response.text) as T;
}

/**
 * A new user (seedUser) with a client on `server`, the path of its project's workspaces and
 * the rows a request may have written there (countRows).
 */
export async function seedRestUser(server: TestServer, label: string) {
  const seed = await seedUser(server.services, label);
  const api = restClient(server.url);
  const path = `/projects/${seed.project.id}/workspaces`;
  const rows = () => countRows(server, { projectId: seed.project.id, userId: seed.user.id });
  return { ...seed, api, path, rows };
}

/** Rows that a request may have written: the project's workspaces and the user's idempotency keys. */
export async function countRows(server: TestServer, scope: { projectId: string; userId: string }) {
  const { prisma } = server.database;
  const [workspaces, idempotencyRecords] = await Promise.all([
    prisma.workspace.count({ where: { projectId: scope.projectId } }),
    prisma.idempotencyRecord.count({ where: { userId: scope.userId } }),
  ]);
  return { workspaces, idempotencyRecords };
}

/**
 * The key set of the workspace object, exactly as documented: the original keys, unchanged, and
 * the ones workspace policies added (CONTRACT §8, an additive change).
 */
export const WORKSPACE_KEYS = [
  "auto_delete_at",
  "auto_delete_minutes",
  "auto_stop_at",
  "auto_stop_minutes",
  "created_at",
  "error_message",
  "git_ref",
  "hardware",
  "id",
  "keep_active",
  "labels",
  "last_activity_at",
  "machine_id",
  "max_run_minutes",
  "preview_token",
  "private_ip",
  "project_id",
  "status",
  "stop_reason",
  "updated_at",
];

export const HARDWARE_KEYS = ["cpu_kind", "cpus", "gpu_kind", "memory_mb", "volume_size_gb"];

/** The contract's system default hardware as REST writes it (spelled out: the suites pin it). */
export const DEFAULT_HARDWARE = {
  cpu_kind: "shared",
  cpus: 2,
  memory_mb: 2048,
  volume_size_gb: 10,
  gpu_kind: null,
};

/**
 * Puts a workspace in a settled state, as the lifecycle engine would have left it, and out of
 * every engine's way: no lease, a new version (a step in flight loses its compare-and-set) and
 * keep_active (no idle stop). Engines of other test files share a PostgreSQL database.
 */
export async function settleWorkspace(
  server: TestServer,
  id: string,
  status: "running" | "stopped",
) {
  await server.database.prisma.workspace.update({
    where: { id },
    data: {
      status,
      desiredState: status,
      keepActive: true,
      version: { increment: 1 },
      leaseOwner: null,
      leaseExpiresAt: null,
    },
  });
}

/** What no one changes after creation; the lifecycle engine moves status, machine and timestamps. */
export function unchangingFields(workspace: Record<string, unknown>) {
  const { id, project_id, hardware, keep_active, preview_token, created_at } = workspace;
  return { id, project_id, hardware, keep_active, preview_token, created_at };
}
