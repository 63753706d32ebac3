/**
 * Real server processes for the lifecycle suites (crash, scale-out), and the clients those
 * suites and the subscription suites talk to them with: REST calls, graphql-ws and SSE
 * subscriptions to `workspaceStatus`, and bounded waits.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type Client, createClient } from "graphql-ws";
import pg from "pg";
import { afterAll } from "vitest";
import { WebSocket } from "ws";

const BIN = fileURLToPath(new URL("../../bin/workspace-gateway.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

// ---------------------------------------------------------------------------------------------
// Waiting

/** Polls `check` until it returns something other than undefined/false; fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 20_000, intervalMs = 50, what = "a condition" } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// ---------------------------------------------------------------------------------------------
// Server processes

/** One line of the server's pino log. */
export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface ServerProcess {
  url: string;
  pid: number;
  /** Every JSON log line so far (LOG_LEVEL=info). */
  logs: LogLine[];
  /** Resolves with the exit once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends the signal and waits (bounded) for the process to exit. */
  kill(
    signal: "SIGKILL" | "SIGTERM",
    timeoutMs?: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();

/** Kills (-9) whatever the suite's processes left running, after the suite. */
export function killProcessesAfterAll(): void {
  afterAll(async () => {
    await Promise.all(
      [...running].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGKILL");
          }),
      ),
    );
  });
}

function processEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  // Not the test runner's environment: only what a server is meant to read.
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: "info",
    ...env,
  };
}

/**
 * `node bin/workspace-gateway.js serve` with `env`, started with node directly so signals reach
 * the server itself. Resolves once it logs its URL and answers /healthz.
 */
export async function startServerProcess(
  env: Record<string, string>,
  { startTimeoutMs = 60_000 } = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, "serve"], {
    cwd: ROOT,
    env: processEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const logs: LogLine[] = [];
  let stderr = "";
  let buffered = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        // Not a log line; ignore.
      }
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  let gone = false;
  void exited.then(() => {
    gone = true;
  });

  const url = await waitFor(
    () => {
      if (gone) throw new Error(`server exited during start-up: ${stderr.trim()}`);
      const line = logs.find((entry) => entry.msg === "workspace-gateway listening");
      return typeof line?.url === "string" ? line.url : undefined;
    },
    { timeoutMs: startTimeoutMs, what: "the server to listen" },
  ).catch((error: unknown) => {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message}; stderr: ${stderr.trim().slice(-1000)}`);
  });
  await waitFor(async () => (await fetch(`${url}/healthz`)).ok, {
    timeoutMs: 10_000,
    what: "/healthz",
  });

  return {
    url,
    pid: child.pid ?? -1,
    logs,
    exited,
    async kill(signal, timeoutMs = 15_000) {
      child.kill(signal);
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error(`pid ${child.pid} still running ${timeoutMs} ms after ${signal}`)),
          timeoutMs,
        ).unref(),
      );
      return Promise.race([exited, timeout]);
    },
  };
}

/** Runs a CLI command (e.g. `seed --json`) to completion and parses its JSON output. */
export async function runCli<T>(args: string[], env: Record<string, string>): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: processEnv({ LOG_LEVEL: "silent", ...env }),
  });
  return JSON.parse(stdout) as T;
}

/**
 * A database of its own on the TEST_DATABASE_URL server, dropped by `drop()`. Engines claim
 * every row of the database they run on, so suites that count steps or watch events across
 * processes must not share one with other suites' servers.
 */
export async function scratchPostgres(
  baseUrl: string,
  label: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `wsg_${label}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// REST

/** The REST workspace object (CONTRACT §2). */
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

export class Rest {
  constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  async createWorkspace(projectId: string, body: object = {}): Promise<RestWorkspace> {
    const response = await this.call("POST", `/projects/${projectId}/workspaces`, body);
    return this.expect(response, 201, "create workspace");
  }

  async getWorkspace(id: string): Promise<RestWorkspace | null> {
    const response = await this.call("GET", `/workspaces/${id}`);
    if (response.status === 404) return null;
    return this.expect(response, 200, "get workspace");
  }

  async act(id: string, action: "start" | "stop"): Promise<RestWorkspace> {
    const response = await this.call("POST", `/workspaces/${id}/${action}`);
    return this.expect(response, 200, `${action} workspace`);
  }

  async deleteWorkspace(id: string): Promise<void> {
    const response = await this.call("DELETE", `/workspaces/${id}`);
    if (response.status !== 204) {
      throw new Error(`delete workspace: ${response.status} ${await response.text()}`);
    }
  }

  private call(method: string, path: string, body?: object): Promise<Response> {
    return fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body ? { "content-type": "application/json" } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  }

  private async expect<T>(response: Response, status: number, what: string): Promise<T> {
    const text = await response.text();
    if (response.status !== status) {
      throw new Error(`${what}: expected ${status}, got ${response.status}: ${text}`);
    }
    return JSON.parse(text) as T;
  }
}

// ---------------------------------------------------------------------------------------------
// workspaceStatus subscriptions

export const WORKSPACE_STATUS = /* GraphQL */ `
  subscription WorkspaceStatus($id: ID!) {
    workspaceStatus(id: $id) { id status machineId privateIp gitRef errorMessage updatedAt }
  }
`;

/** The fields the suites select. */
export interface StatusPayload {
  id: string;
  status: string;
  machineId: string | null;
  privateIp: string | null;
  gitRef: string | null;
  errorMessage: string | null;
  updatedAt: string;
}

/** What one subscription has received so far. */
export class StatusStream {
  readonly events: StatusPayload[] = [];
  readonly errors: unknown[] = [];
  completed = false;
  private stop: () => void = () => {};

  statuses(): string[] {
    return this.events.map((event) => event.status);
  }

  last(): StatusPayload | undefined {
    return this.events.at(-1);
  }

  /** Waits (bounded) until the stream's latest status is `status`. */
  async until(status: string, timeoutMs = 20_000): Promise<StatusPayload> {
    return waitFor(
      () => {
        if (this.errors.length > 0) throw new Error(`stream failed: ${describe(this.errors)}`);
        const last = this.last();
        return last?.status === status ? last : undefined;
      },
      { timeoutMs, what: `status ${status} (got ${this.statuses().join(" → ") || "nothing"})` },
    );
  }

  /** Waits (bounded) for the server to end the stream (complete or error). */
  async ended(timeoutMs = 20_000): Promise<void> {
    await waitFor(() => this.completed || this.errors.length > 0, {
      timeoutMs,
      what: `the end of the stream (got ${this.statuses().join(" → ")})`,
    });
  }

  close(): void {
    this.stop();
  }

  /** @internal */
  attach(stop: () => void): void {
    this.stop = stop;
  }

  /** @internal */
  receive(result: { data?: unknown; errors?: unknown }): void {
    if (result.errors) this.errors.push(...(result.errors as unknown[]));
    const payload = (result.data as { workspaceStatus?: StatusPayload } | null | undefined)
      ?.workspaceStatus;
    if (payload) this.events.push(payload);
  }
}

function describe(errors: unknown[]): string {
  return errors
    .map((error) => (error instanceof Error ? error.message : JSON.stringify(error)))
    .join("; ");
}

/** A graphql-ws client on `/graphql` that fails fast and records how its socket closed. */
export function wsClient(url: string, authorization: string) {
  const closes: { code: number; reason: string }[] = [];
  const client: Client = createClient({
    url: `${url.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: { authorization },
    on: {
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        closes.push({ code, reason: String(reason) });
      },
    },
  });
  return {
    client,
    closes,
    watch(id: string): StatusStream {
      const stream = new StatusStream();
      stream.attach(
        client.subscribe(
          { query: WORKSPACE_STATUS, variables: { id } },
          {
            next: (result) => stream.receive(result as { data?: unknown; errors?: unknown }),
            error: (error) => {
              stream.errors.push(
                error instanceof Error
                  ? error
                  : Array.isArray(error)
                    ? { graphqlErrors: error }
                    : { close: (error as { code?: number }).code },
              );
            },
            complete: () => {
              stream.completed = true;
            },
          },
        ),
      );
      return stream;
    },
    dispose: () => client.dispose(),
  };
}

/** `workspaceStatus` over SSE: a POST with Accept: text/event-stream, parsed as it arrives. */
export function sseWatch(url: string, token: string, id: string): StatusStream {
  const stream = new StatusStream();
  const controller = new AbortController();
  stream.attach(() => controller.abort());
  void (async () => {
    const response = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: {
        accept: "text/event-stream",
        "content-type": "application/json",
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ query: WORKSPACE_STATUS, variables: { id } }),
      signal: controller.signal,
    });
    if (!response.ok || !response.body) {
      stream.errors.push({ status: response.status, body: await response.text() });
      return;
    }
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of response.body) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      let boundary = buffered.indexOf("\n\n");
      while (boundary >= 0) {
        handleSseEvent(stream, buffered.slice(0, boundary));
        buffered = buffered.slice(boundary + 2);
        boundary = buffered.indexOf("\n\n");
      }
    }
    stream.completed = true;
  })().catch((error: unknown) => {
    if (!controller.signal.aborted) stream.errors.push(error);
  });
  return stream;
}

function handleSseEvent(stream: StatusStream, block: string): void {
  let event = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
  }
  if (event === "complete") {
    stream.completed = true;
    return;
  }
  if (data.length === 0 || data.join("") === "") return;
  stream.receive(JSON.parse(data.join("\n")) as { data?: unknown; errors?: unknown });
}

/** The lifecycle order of GraphQL statuses along the happy paths. */
export const STATUS_ORDER = ["CREATING", "STARTING", "RUNNING", "STOPPING", "STOPPED"] as const;
