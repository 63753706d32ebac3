/**
 * The peer measured beside the gateway: PostGraphile v4 (bench/peer, its own install: v4 needs
 * graphql 15 and the gateway graphql 16, and two copies of graphql-js in one tree refuse each
 * other's types). Its CLI, on the bench's database, as its own process; no auth, no RLS.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./gateway.js";
import { type Child, freePort, run, start, waitForHttp } from "./procs.js";

const PEER_DIR = join(ROOT, "bench/peer");
const CLI = join(PEER_DIR, "node_modules/postgraphile/cli.js");

/** bench/peer/node_modules, installed from its lock file when missing. */
async function install(log: (text: string) => void): Promise<void> {
  if (existsSync(CLI)) return;
  log("  installing the peer: npm ci --prefix bench/peer (PostGraphile 4.14.1, pinned)");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = await run(
    npm,
    ["ci", "--prefix", PEER_DIR, "--ignore-scripts", "--no-audit", "--no-fund"],
    { timeoutMs: 300_000 },
  );
  if (result.code !== 0 || !existsSync(CLI)) {
    throw new Error(`npm ci --prefix bench/peer failed: ${result.stderr.trim().slice(0, 500)}`);
  }
}

export async function startPostGraphile(
  databaseUrl: string,
  logPath: string,
  log: (text: string) => void,
): Promise<{ child: Child; url: string }> {
  await install(log);
  const port = await freePort();
  const child = start(
    "postgraphile",
    process.execPath,
    [
      CLI,
      ...["--connection", databaseUrl, "--schema", "public"],
      ...["--host", "127.0.0.1", "--port", String(port)],
      // jsonb as JSON (labels), as the gateway answers it; no per-query log line.
      "--dynamic-json",
      "--disable-query-log",
    ],
    { env: { ...process.env, NODE_ENV: "production" }, logPath, cwd: PEER_DIR },
  );
  const url = `http://127.0.0.1:${port}`;
  // /graphql answers only POST; GraphiQL's page says the schema is built.
  await waitForHttp(`${url}/graphiql`, child, 60_000);
  return { child, url: `${url}/graphql` };
}
