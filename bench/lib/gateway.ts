/** The gateway as users run it: `node bin/workspace-gateway.js serve`, seeded through its CLI. */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Child, freePort, run, start, stop, waitForHttp } from "./procs.js";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The checkout whose gateway is measured (default: this one). BENCH_GATEWAY_DIR picks another,
 * e.g. a `git archive` of a commit while the working tree is mid-edit. */
export const GATEWAY_DIR = process.env.BENCH_GATEWAY_DIR ?? ROOT;
const BIN = join(GATEWAY_DIR, "bin/workspace-gateway.js");

/** The settings every bench gateway runs with (printed by the bench). */
export const BENCH_SETTINGS: Record<string, string> = {
  NODE_ENV: "production",
  LOG_LEVEL: "warn",
  IDLE_TIMEOUT_MINUTES: "0",
  RATE_LIMIT_PER_MINUTE: "0",
  CREATE_RATE_LIMIT_PER_MINUTE: "0",
  WORKSPACE_QUOTA: "0",
  // One token drives every connection of a workload: the per-token fairness limits (8 in flight,
  // 50 streams) would measure the limit, not the gateway.
  MAX_CONCURRENT_REQUESTS_PER_TOKEN: "0",
  MAX_STREAMS_PER_TOKEN: "0",
  // The subscription workloads open thousands of sockets with one token.
  MAX_SOCKETS_PER_TOKEN: "0",
  MAX_SUBSCRIPTIONS_PER_SOCKET: "0",
  GRAPHIQL: "false",
};

export interface Gateway {
  child: Child;
  url: string;
  wsUrl: string;
  env: NodeJS.ProcessEnv;
}

function gatewayEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...BENCH_SETTINGS, HOST: "127.0.0.1" };
  // A developer's own settings must not leak into the bench.
  for (const name of ["DATABASE_URL", "DATA_DIR", "REDIS_URL", "PORT", "NODE_OPTIONS"])
    delete env[name];
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

export async function startGateway(
  name: string,
  settings: Record<string, string | undefined>,
  logPath: string,
  attempts = 3,
): Promise<Gateway> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = await freePort();
    const env = gatewayEnv({ ...settings, PORT: String(port) });
    const child = start(name, process.execPath, [BIN, "serve"], { env, logPath, cwd: GATEWAY_DIR });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForHttp(`${url}/readyz`, child, 90_000);
      return { child, url, wsUrl: `ws://127.0.0.1:${port}/graphql`, env };
    } catch (error) {
      lastError = error;
      await stop(child);
      // Others edit src/ concurrently: a broken start may be a half-saved file. Wait and retry.
      if (attempt < attempts) {
        process.stderr.write(
          `  ${name} did not start (${String(error)}); retrying in 60 s (log: ${logPath})\n`,
        );
        await new Promise((resolve) => setTimeout(resolve, 60_000));
      }
    }
  }
  throw lastError;
}

export interface Seed {
  user: { id: string; email: string };
  token: string;
  project: { id: string; name: string };
}

export async function seed(
  settings: Record<string, string | undefined>,
  email: string,
  projectName: string,
): Promise<Seed> {
  const env = gatewayEnv(settings);
  const result = await run(
    process.execPath,
    [BIN, "seed", "--email", email, "--project-name", projectName, "--json"],
    { env, timeoutMs: 120_000 },
  );
  if (result.code !== 0)
    throw new Error(`seed failed (code ${result.code}): ${result.stderr.trim()}`);
  return JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "") as Seed;
}

export function authHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, "content-type": "application/json" };
}

export async function restCreate(url: string, token: string, projectId: string): Promise<string> {
  const response = await fetch(`${url}/projects/${projectId}/workspaces`, {
    method: "POST",
    headers: authHeaders(token),
    body: JSON.stringify({ keep_active: true }),
  });
  const body = (await response.json()) as { id?: string; error?: string };
  if (response.status !== 201 || !body.id)
    throw new Error(`create failed: ${response.status} ${JSON.stringify(body)}`);
  return body.id;
}

export async function workspaceStatus(url: string, token: string, id: string): Promise<string> {
  const response = await fetch(`${url}/workspaces/${id}`, { headers: authHeaders(token) });
  const body = (await response.json()) as { status?: string };
  if (!response.ok || !body.status) throw new Error(`GET /workspaces/${id}: ${response.status}`);
  return body.status;
}

export async function waitForStatus(
  url: string,
  token: string,
  id: string,
  status: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    last = await workspaceStatus(url, token, id);
    if (last === status) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`workspace ${id} still ${last}, not ${status}, after ${timeoutMs / 1000} s`);
}
