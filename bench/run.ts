/**
 * `npm run bench [-- --quick] [-- --only throughput,burst,sub,embedded]`
 *
 * The gateway (started as users run it), a floor server (bare node:http + pg, one prepared
 * insert per request), the peer (PostGraphile) and the load generator (wrk) run in separate
 * processes. One file per workload kind in bench/workloads/, the shared runner in
 * bench/lib/runner.ts. Every run first measures the machine: the floor's p50 at c=1 (one
 * commit's latency) and, when the burst is not run, the commits a created workspace costs on a
 * small burst. Results: bench/results/<YYYY-MM-DD-HHMM>.json and bench/results/summary.md.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { connect, dropDatabase, recreateDatabase } from "./lib/db.js";
import { BENCH_SETTINGS, GATEWAY_DIR } from "./lib/gateway.js";
import { stop, stopAll } from "./lib/procs.js";
import { writeReport } from "./lib/report.js";
import {
  CONFIG,
  DB,
  log,
  measure,
  QUICK,
  run,
  sanityCheck,
  startFloor,
  wanted,
} from "./lib/runner.js";
import { round } from "./lib/stats.js";
import { WRK, writeScript, wrkAvailable } from "./lib/wrk.js";
import { burstPhase } from "./workloads/burst.js";
import { embeddedPhase } from "./workloads/embedded.js";
import { subPhase } from "./workloads/subscriptions.js";
import { throughputPhase } from "./workloads/throughput.js";

/** A small burst when the full one is not run: enough to count commits per workspace. */
const COMMITS_PROBE_N = 100;

let interrupted = false;
let cleaning: Promise<void> | undefined;

/** Runs once, whoever asks first (the signal handler or the end of main). */
function cleanupOnce(keepLogs = false): Promise<void> {
  cleaning ??= cleanup(keepLogs);
  return cleaning;
}

async function cleanup(keepLogs: boolean): Promise<void> {
  await stopAll();
  await dropDatabase(DB).catch((error: unknown) => log(`  could not drop ${DB}: ${String(error)}`));
  if (run.workDir && !keepLogs) await rm(run.workDir, { recursive: true, force: true });
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`\n${signal}: stopping every process the bench started`);
    void cleanupOnce().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------

function checkTools(): void {
  if (!wrkAvailable()) {
    process.stderr.write(`bench: wrk not found at ${WRK}; install it with: apt-get install wrk\n`);
    process.exit(1);
  }
  for (const tool of ["createdb", "dropdb"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    } catch {
      process.stderr.write(`bench: ${tool} not found (apt-get install postgresql-client)\n`);
      process.exit(1);
    }
  }
}

function fdLimit(): number {
  const text = execFileSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).trim();
  return text === "unlimited" ? Number.POSITIVE_INFINITY : Number(text);
}

function gitCommit(): string {
  if (process.env.BENCH_GATEWAY_COMMIT) return process.env.BENCH_GATEWAY_COMMIT;
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: GATEWAY_DIR,
      encoding: "utf8",
    }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src", "prisma", "bin"], {
      cwd: GATEWAY_DIR,
      encoding: "utf8",
    }).trim();
    return dirty ? `${commit} (src/ has uncommitted changes)` : commit;
  } catch {
    return "unknown";
  }
}

/**
 * The machine, so runs on different machines compare: the floor's p50 at c=1 is one HTTP round
 * trip plus one PostgreSQL commit (the commit latency, within a few tenths of a millisecond).
 */
async function machinePhase() {
  log("\n== machine: the floor at c=1 (commit latency)");
  await recreateDatabase(DB);
  const floor = await startFloor();
  const pool = connect(DB);
  try {
    const workload = {
      name: "floor",
      table: "bench_floor",
      request: {
        method: "POST" as const,
        url: `${floor.url}/projects/machine/workspaces`,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ keep_active: false }),
      },
      script: "",
    };
    workload.script = await writeScript(run.workDir, "machine-floor", workload.request);
    await sanityCheck(workload);
    await measure(workload, 1, CONFIG.warmupS, -1, pool);
    const sample = await measure(workload, 1, CONFIG.durationS, 0, pool);
    log(`  floor c=1: p50 ${sample.latency_ms.p50} ms, ${sample.rps.toFixed(0)} req/s`);
    return { floor_c1_p50_ms: sample.latency_ms.p50, floor_c1_rps: sample.rps, sample };
  } finally {
    await pool.end();
    await stop(floor.child);
  }
}

async function main() {
  checkTools();
  const started = new Date();
  run.workDir = await mkdtemp(join(tmpdir(), "wg-bench-"));
  const limit = fdLimit();
  const needed = CONFIG.distinct + 1000;
  log(
    `workspace-gateway bench${QUICK ? " (--quick)" : ""}: gateway, floor and wrk in separate processes`,
  );
  log(
    `  gateway settings: ${Object.entries(BENCH_SETTINGS)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ")}`,
  );
  log("  (rate limits and the workspace quota are switched off by those settings)");
  log(
    `  database ${DB} on 127.0.0.1:5432; ${CONFIG.reps} repetitions × ${CONFIG.durationS} s; logs in ${run.workDir}`,
  );
  log(`  ulimit -n ${limit} (the subscription bench needs about ${needed} per process)`);
  if (limit < needed) {
    process.stderr.write(
      `bench: raise the open-files limit (ulimit -n ${needed}) for the subscription bench\n`,
    );
    process.exit(1);
  }
  const result: Record<string, unknown> = {
    started: started.toISOString(),
    quick: QUICK,
    commit: gitCommit(),
    machine: {
      cpus: execFileSync("nproc", { encoding: "utf8" }).trim(),
      node: process.version,
      loadavg_start: loadavg().map((l) => round(l, 2)),
    },
    settings: BENCH_SETTINGS,
    config: CONFIG,
    wrk: spawnSync(WRK, ["-v"], { encoding: "utf8" }).stdout.split(" Copyright")[0],
  };
  const phaseSeconds: Record<string, number> = {};
  const timed = async <T>(phase: string, body: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    try {
      return await body();
    } finally {
      phaseSeconds[phase] = round((Date.now() - t) / 1000, 1);
      log(`  (${phase}: ${phaseSeconds[phase]} s)`);
    }
  };
  const machine = await timed("machine", machinePhase);
  if (wanted("throughput")) result.throughput = await timed("throughput", throughputPhase);
  if (wanted("burst")) result.lifecycle_burst = await timed("burst", () => burstPhase());
  else result.commits_probe = await timed("commits", () => burstPhase(COMMITS_PROBE_N));
  const burst = (result.lifecycle_burst ?? result.commits_probe) as {
    created: number;
    commits_per_workspace: number | null;
  };
  Object.assign(result.machine as Record<string, unknown>, {
    floor_c1_p50_ms: machine.floor_c1_p50_ms,
    floor_c1_rps: machine.floor_c1_rps,
    commits_per_workspace: burst.commits_per_workspace,
    commits_per_workspace_n: burst.created,
  });
  if (wanted("sub")) {
    result.subscriptions = [
      await timed("sub in-process", () => subPhase("in-process")),
      await timed("sub redis", () => subPhase("redis")),
    ];
  }
  if (wanted("embedded")) result.embedded = await timed("embedded", embeddedPhase);
  result.phase_seconds = phaseSeconds;
  (result.machine as Record<string, unknown>).loadavg_end = loadavg().map((l) => round(l, 2));
  result.finished = new Date().toISOString();
  const written = await writeReport(result, started);
  log(`\nwrote ${written.json}\n      ${written.summary}`);
}

try {
  await main();
  await cleanupOnce();
  process.exit(0);
} catch (error) {
  if (interrupted) {
    // The signal handler is cleaning up and exits with 130.
    await cleanupOnce();
    process.exit(130);
  }
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  if (run.workDir) process.stderr.write(`  process logs kept in ${run.workDir}\n`);
  await cleanupOnce(true);
  process.exit(1);
}
