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

/** Real HTTP against a started server; every response is also handed to `onResponse`. */
export function restClient(server: TestServer, onResponse?: (response: RestResponse) => void) {
  async function request(method: string, path: string, options: RestRequest = {}) {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.body;
    if (options.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.json);
    }
    Object.assign(headers, options.headers);
    const response = await fetch(`${server.url}${path}`, { method, headers, body });
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

/** Rows that a request may have written: the project's workspaces and the user's idempotency keys. */
export async function countRows(server: TestServer, scope: { projectId: string; userId: string }) {
  const { prisma } = server.database;
  const [workspaces, idempotencyRecords] = await Promise.all([
    prisma.workspace.count({ where: { projectId: scope.projectId } }),
    prisma.idempotencyRecord.count({ where: { userId: scope.userId } }),
  ]);
  return { workspaces, idempotencyRecords };
}

/** The key set of the workspace object, exactly as documented. */
export const WORKSPACE_KEYS = [
  "created_at",
  "error_message",
  "git_ref",
  "hardware",
  "id",
  "keep_active",
  "machine_id",
  "preview_token",
  "private_ip",
  "project_id",
  "status",
  "updated_at",
];

export const HARDWARE_KEYS = ["cpu_kind", "cpus", "gpu_kind", "memory_mb", "volume_size_gb"];

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
