/**
 * PostgreSQL commits per workspace, create → running (issue 20's "commits per workspace"): a
 * scratch database, a real `serve` process on it, N creates at concurrency C over HTTP, then
 * pg_stat_database.xact_commit before and after every workspace is running. The engine's idle
 * claims and this script's own polls are counted separately and taken off.
 *
 *   npx tsx scripts/commits-per-workspace.ts [--creates 300] [--concurrency 16] [--root DIR]
 *
 * BASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres) names the server; `--root`
 * runs another checkout's bin/workspace-gateway.js (to compare with an older commit).
 */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs, promisify } from "node:util";
import pg from "pg";

const { values } = parseArgs({
  options: {
    creates: { type: "string", default: "300" },
    concurrency: { type: "string", default: "16" },
    root: { type: "string", default: "." },
    delay: { type: "string", default: "1000" },
  },
});
const CREATES = Number(values.creates);
const CONCURRENCY = Number(values.concurrency);
const BIN = resolve(values.root ?? ".", "bin/workspace-gateway.js");
const BASE_URL = process.env.BASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
/** PostgreSQL 15 flushes an idle backend's counters within 10 s: read after that. */
const STATS_SETTLE_MS = 11_000;

const name = `wsg_commits_${randomBytes(4).toString("hex")}`;
const url = new URL(BASE_URL);
url.pathname = `/${name}`;
const DATABASE_URL = url.toString();

const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  DATABASE_URL,
  HOST: "127.0.0.1",
  PORT: "0",
  LOG_LEVEL: "info",
  RATE_LIMIT_PER_MINUTE: "0",
  CREATE_RATE_LIMIT_PER_MINUTE: "0",
  MAX_CONCURRENT_REQUESTS_PER_TOKEN: "0",
  WORKSPACE_QUOTA: "0",
  IDLE_TIMEOUT_MINUTES: "0",
  SIMULATED_PROVISION_DELAY_MS: values.delay,
};

async function cli<T>(args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, ...args], { env });
  return JSON.parse(stdout) as T;
}

/** Commits of the scratch database, read from another database so the read is not one. */
async function commits(admin: pg.Client): Promise<number> {
  await admin.query("SELECT pg_stat_clear_snapshot()");
  const { rows } = await admin.query<{ n: string }>(
    "SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = $1",
    [name],
  );
  return Number(rows[0]?.n);
}

async function main() {
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await cli(["migrate", "--json"]);
  const seeded = await cli<{ token: string; project: { id: string } }>([
    "seed",
    "--email",
    "commits@example.com",
    "--json",
  ]);
  const server = spawn(process.execPath, [BIN, "serve"], {
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const base = await new Promise<string>((done, fail) => {
      let buffered = "";
      server.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        buffered += chunk;
        const match = /"msg":"workspace-gateway listening".*?"url":"([^"]+)"/.exec(buffered);
        const match2 = /"url":"([^"]+)".*?"msg":"workspace-gateway listening"/.exec(buffered);
        const found = match?.[1] ?? match2?.[1];
        if (found) done(found);
        if (buffered.length > 100_000) buffered = buffered.slice(-10_000);
      });
      server.once("exit", () => fail(new Error("the server exited")));
    });
    const watcher = new pg.Client({ connectionString: DATABASE_URL });
    await watcher.connect();
    let polls = 0;

    // The engine's sweep commits while idle too: measured, then taken off.
    await sleep(STATS_SETTLE_MS);
    const idleStart = await commits(admin);
    const idleFrom = Date.now();
    await sleep(STATS_SETTLE_MS);
    const before = await commits(admin);
    const idlePerMs = (before - idleStart) / (Date.now() - idleFrom);

    const started = Date.now();
    let next = 0;
    let failed = 0;
    const authorization = `Bearer ${seeded.token}`;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < CREATES) {
          next++;
          const response = await fetch(`${base}/projects/${seeded.project.id}/workspaces`, {
            method: "POST",
            headers: { authorization, "content-type": "application/json" },
            body: "{}",
          });
          await response.arrayBuffer();
          if (response.status !== 201) failed++;
        }
      }),
    );
    const createdMs = Date.now() - started;
    for (;;) {
      polls++;
      const { rows } = await watcher.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM workspaces WHERE status = 'running'",
      );
      if (Number(rows[0]?.n) >= CREATES - failed) break;
      await sleep(200);
    }
    const runningMs = Date.now() - started;
    await watcher.end();
    await sleep(STATS_SETTLE_MS);
    const after = await commits(admin);
    const elapsed = Date.now() - started;
    const raw = after - before - polls;
    const idle = Math.round(idlePerMs * elapsed);
    const created = CREATES - failed;
    console.log(
      JSON.stringify(
        {
          creates: CREATES,
          concurrency: CONCURRENCY,
          failed,
          createdMs,
          runningMs,
          commits: raw,
          idleCommitsTakenOff: idle,
          commitsPerWorkspace: Number(((raw - idle) / created).toFixed(3)),
          commitsPerWorkspaceRaw: Number((raw / created).toFixed(3)),
        },
        null,
        1,
      ),
    );
  } finally {
    server.kill("SIGTERM");
    await new Promise((done) => server.once("exit", done));
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

await main();
