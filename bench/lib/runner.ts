/**
 * What every workload kind of `npm run bench` shares: the command line and its configuration,
 * the run's database and work directory, the floor server, one wrk measurement (a Sample) and
 * the summary of interleaved samples as ratios to the floor.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { count, databaseUrl } from "./db.js";
import { ROOT } from "./gateway.js";
import { type Child, freePort, start, waitForHttp } from "./procs.js";
import { max, median, min, round } from "./stats.js";
import { type Request, runWrk, type WrkResult } from "./wrk.js";

const argv = process.argv.slice(2);
export const QUICK = argv.includes("--quick");
const onlyIndex = argv.indexOf("--only");
const ONLY = onlyIndex >= 0 ? new Set((argv[onlyIndex + 1] ?? "").split(",")) : undefined;
export const wanted = (phase: string) => (ONLY ? ONLY.has(phase) : phase !== "embedded" || !QUICK);

export const CONFIG = QUICK
  ? {
      reps: 2,
      durationS: 2,
      warmupS: 1,
      burstN: 100,
      burstTimeoutS: 60,
      idleSubs: 500,
      fanout: [500],
      distinct: 1000,
      fanoutRounds: 1,
      settleMs: 500,
    }
  : {
      reps: 5,
      durationS: 5,
      warmupS: 3,
      burstN: 5000,
      burstTimeoutS: 600,
      idleSubs: 5000,
      fanout: [1000, 5000],
      distinct: 10000,
      fanoutRounds: 3,
      settleMs: 3000,
    };
export const CONCURRENCY = [1, 16, 64];
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
export const DB = `wg_bench_${process.pid}`;
const NOISE_LIMIT = 0.25;

export const log = (text: string) => process.stdout.write(`${text}\n`);

/** The run's temporary directory (process logs, wrk scripts), set once by run.ts. */
export const run = { workDir: "" };

export async function startFloor(): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const child = start(
    "floor-server",
    process.execPath,
    ["--import", "tsx", join(ROOT, "bench/floor-server.ts")],
    {
      env: {
        ...process.env,
        NODE_ENV: "production",
        DATABASE_URL: databaseUrl(DB),
        PORT: String(port),
      },
      logPath: join(run.workDir, "floor.log"),
      cwd: ROOT,
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, child, 30_000);
  return { child, url };
}

export interface Workload {
  name: string;
  request: Request;
  /** The table whose rows it inserts (checked against its 2xx count). */
  table?: string;
  script?: string;
}

export interface Sample {
  workload: string;
  connections: number;
  rep: number;
  rps: number;
  ok: number;
  requests: number;
  errors: Record<string, number>;
  latency_ms: { p50: number; p90: number; p99: number; max: number };
  rows?: { inserted: number; ok: number; matches: boolean };
}

function errorsOf(result: WrkResult): Record<string, number> {
  const errors: Record<string, number> = {};
  for (const [key, value] of Object.entries(result.errors))
    if (key !== "status" && value) errors[key] = value;
  for (const [status, n] of Object.entries(result.statuses))
    if (!status.startsWith("2")) errors[status] = n;
  if (result.unexpected_body) errors.unexpected_body = result.unexpected_body;
  return errors;
}

export async function measure(
  workload: Workload,
  connections: number,
  durationS: number,
  rep: number,
  pool: pg.Pool,
): Promise<Sample> {
  const before = workload.table ? await count(pool, workload.table) : 0;
  const result = await runWrk(
    workload.script as string,
    workload.request.url,
    connections,
    durationS,
  );
  let rows: Sample["rows"];
  if (workload.table) {
    await sleep(300); // requests cut off by wrk's end may still commit
    const inserted = (await count(pool, workload.table)) - before;
    // wrk stops counting with up to `connections` requests in flight: those may have committed.
    rows = {
      inserted,
      ok: result.ok,
      matches: inserted >= result.ok && inserted <= result.ok + connections,
    };
  }
  const ms = (us: number) => round(us / 1000, 3);
  return {
    workload: workload.name,
    connections,
    rep,
    rps: round(result.rps, 1),
    ok: result.ok,
    requests: result.requests,
    errors: errorsOf(result),
    latency_ms: {
      p50: ms(result.latency_us.p50),
      p90: ms(result.latency_us.p90),
      p99: ms(result.latency_us.p99),
      max: ms(result.latency_us.max),
    },
    ...(rows ? { rows } : {}),
  };
}

export async function sanityCheck(workload: Workload): Promise<void> {
  const { request } = workload;
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.fresh ? request.body?.replaceAll("__UUID__", () => randomUUID()) : request.body,
  });
  const text = await response.text();
  if (!response.ok || (request.expect && !text.includes(request.expect))) {
    throw new Error(
      `${workload.name}: one request answered ${response.status} ${text.slice(0, 300)}`,
    );
  }
}

/**
 * Every workload at every concurrency, CONFIG.reps times, in an order rotated per repetition and
 * concurrency (a warm-up of each at c=16 first, discarded).
 */
export async function interleaved(
  workloads: Workload[],
  concurrency: number[],
  pool: pg.Pool,
): Promise<Sample[]> {
  log(`  warm-up: every workload at c=16 for ${CONFIG.warmupS} s (discarded)`);
  for (const workload of workloads) await measure(workload, 16, CONFIG.warmupS, -1, pool);
  const samples: Sample[] = [];
  for (let rep = 0; rep < CONFIG.reps; rep++) {
    for (const [ci, connections] of concurrency.entries()) {
      const shift = (rep + ci) % workloads.length;
      const order = [...workloads.slice(shift), ...workloads.slice(0, shift)];
      for (const workload of order) {
        const sample = await measure(workload, connections, CONFIG.durationS, rep, pool);
        samples.push(sample);
        const errors = Object.keys(sample.errors).length
          ? ` errors ${JSON.stringify(sample.errors)}`
          : "";
        const rows =
          sample.rows && !sample.rows.matches
            ? ` ROWS ${sample.rows.inserted} vs 2xx ${sample.rows.ok}`
            : "";
        log(
          `  rep ${rep + 1}/${CONFIG.reps} c=${String(connections).padEnd(2)} ${workload.name.padEnd(18)} ${sample.rps.toFixed(0).padStart(6)} req/s  p50 ${sample.latency_ms.p50} ms  p99 ${sample.latency_ms.p99} ms${errors}${rows}`,
        );
      }
    }
  }
  return samples;
}

export interface Row {
  workload: string;
  connections: number;
  median_rps: number;
  ratio_median: number | null;
  ratio_min: number | null;
  ratio_max: number | null;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  rows_ok: boolean | null;
}

export function summarise(samples: Sample[], names: string[], concurrency = CONCURRENCY) {
  const rows: Row[] = [];
  const floorSpread: Record<string, { min: number; max: number; spread: number; noisy: boolean }> =
    {};
  for (const connections of concurrency) {
    const floorByRep = new Map(
      samples
        .filter((s) => s.workload === "floor" && s.connections === connections)
        .map((s) => [s.rep, s.rps]),
    );
    const floors = [...floorByRep.values()];
    const spread = min(floors) > 0 ? max(floors) / min(floors) - 1 : Number.POSITIVE_INFINITY;
    floorSpread[String(connections)] = {
      min: min(floors),
      max: max(floors),
      spread: round(spread, 3),
      noisy: spread > NOISE_LIMIT,
    };
    for (const name of names) {
      const mine = samples.filter((s) => s.workload === name && s.connections === connections);
      const ratios = mine
        .map((s) =>
          floorByRep.get(s.rep) ? s.rps / (floorByRep.get(s.rep) as number) : Number.NaN,
        )
        .filter((r) => Number.isFinite(r));
      const withRows = mine.filter((s) => s.rows);
      rows.push({
        workload: name,
        connections,
        median_rps: round(median(mine.map((s) => s.rps)), 0),
        ratio_median: ratios.length ? round(median(ratios), 3) : null,
        ratio_min: ratios.length ? round(min(ratios), 3) : null,
        ratio_max: ratios.length ? round(max(ratios), 3) : null,
        p50_ms: round(median(mine.map((s) => s.latency_ms.p50)), 2),
        p99_ms: round(median(mine.map((s) => s.latency_ms.p99)), 2),
        errors: mine.reduce(
          (sum, s) => sum + Object.values(s.errors).reduce((a, b) => a + b, 0),
          0,
        ),
        rows_ok: withRows.length ? withRows.every((s) => s.rows?.matches) : null,
      });
    }
  }
  return { rows, floorSpread, noisy: Object.values(floorSpread).some((f) => f.noisy) };
}

/**
 * Transactions committed in the run's database so far (pg_stat_database.xact_commit: every
 * transaction, reads included). Backends publish their counts when they go idle, at most once a
 * second and otherwise within about 10 s (PostgreSQL 15+): read it after STATS_SETTLE_MS of quiet.
 */
export async function commitsSoFar(pool: pg.Pool): Promise<number> {
  const result = await pool.query<{ n: string }>(
    "SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()",
  );
  return Number(result.rows[0]?.n ?? 0);
}

/** How long the backends' pending statistics may take to reach pg_stat_database. */
export const STATS_SETTLE_MS = 11_000;
