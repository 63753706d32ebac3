/**
 * `npm run bench [-- --quick] [-- --only throughput,burst,sub,embedded]`
 *
 * The gateway (started as users run it), a floor server (bare node:http + pg, one prepared
 * insert per request) and the load generator (wrk) run in separate processes. Throughput is
 * measured interleaved in rotating order, warm-up discarded, several repetitions; every
 * gateway figure is reported as a ratio to the floor measured in the same repetition at the
 * same concurrency. Results: bench/results/<YYYY-MM-DD-HHMM>.json and bench/results/summary.md.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { connect, count, databaseUrl, dropDatabase, recreateDatabase } from "./lib/db.js";
import {
  authHeaders,
  BENCH_SETTINGS,
  GATEWAY_DIR,
  type Gateway,
  ROOT,
  restCreate,
  type Seed,
  seed,
  startGateway,
  waitForStatus,
} from "./lib/gateway.js";
import { type Child, freePort, rssKb, start, stop, stopAll, waitForHttp } from "./lib/procs.js";
import { writeReport } from "./lib/report.js";
import { max, median, min, round } from "./lib/stats.js";
import { type Request, runWrk, WRK, type WrkResult, writeScript, wrkAvailable } from "./lib/wrk.js";

const argv = process.argv.slice(2);
const QUICK = argv.includes("--quick");
const onlyIndex = argv.indexOf("--only");
const ONLY = onlyIndex >= 0 ? new Set((argv[onlyIndex + 1] ?? "").split(",")) : undefined;
const wanted = (phase: string) => (ONLY ? ONLY.has(phase) : phase !== "embedded" || !QUICK);

const CONFIG = QUICK
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
const CONCURRENCY = [1, 16, 64];
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const DB = `wg_bench_${process.pid}`;
const NOISE_LIMIT = 0.25;

const log = (text: string) => process.stdout.write(`${text}\n`);
let workDir = "";
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
  if (workDir && !keepLogs) await rm(workDir, { recursive: true, force: true });
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

async function startFloor(): Promise<{ child: Child; url: string }> {
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
      logPath: join(workDir, "floor.log"),
      cwd: ROOT,
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, child, 30_000);
  return { child, url };
}

// ---------------------------------------------------------------------------------------------
// Throughput: floor, rest-create, gql-create, rest-get, gql-read at c = 1/16/64.

interface Workload {
  name: string;
  request: Request;
  /** The table whose rows it inserts (checked against its 2xx count). */
  table?: string;
  script?: string;
}

interface Sample {
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

async function measure(
  workload: Workload,
  connections: number,
  durationS: number,
  rep: number,
  pool: ReturnType<typeof connect>,
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

async function sanityCheck(workload: Workload): Promise<void> {
  const { request } = workload;
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  const text = await response.text();
  if (!response.ok || (request.expect && !text.includes(request.expect))) {
    throw new Error(
      `${workload.name}: one request answered ${response.status} ${text.slice(0, 300)}`,
    );
  }
}

const GQL_READ = `query ($id: ID!) { project(id: $id) { workspaces(first: 50) { edges { node {
  id status hardware { cpus } project { name } } } } } }`;

async function throughputPhase() {
  log("\n== throughput (PostgreSQL): floor, rest-create, gql-create, rest-get, gql-read");
  await recreateDatabase(DB);
  const settings = { DATABASE_URL: databaseUrl(DB), SIMULATED_PROVISION_DELAY_MS: "1000" };
  const [writer, reader] = await Promise.all([
    seed(settings, "bench-writer@example.com", "bench writes"),
    seed(settings, "bench-reader@example.com", "bench reads"),
  ]);
  const floor = await startFloor();
  const gateway = await startGateway("gateway", settings, join(workDir, "gateway-throughput.log"));
  const pool = connect(DB);
  try {
    const readIds: string[] = [];
    for (let i = 0; i < 50; i++)
      readIds.push(await restCreate(gateway.url, reader.token, reader.project.id));
    const createBody = JSON.stringify({
      hardware: { cpu_kind: "shared", cpus: 2, memory_mb: 2048 },
      keep_active: false,
    });
    const workloads: Workload[] = [
      {
        name: "floor",
        table: "bench_floor",
        request: {
          method: "POST",
          url: `${floor.url}/projects/${writer.project.id}/workspaces`,
          headers: authHeaders(writer.token),
          body: createBody,
        },
      },
      {
        name: "rest-create",
        table: "workspaces",
        request: {
          method: "POST",
          url: `${gateway.url}/projects/${writer.project.id}/workspaces`,
          headers: authHeaders(writer.token),
          body: createBody,
          expect: '"status":"creating"',
        },
      },
      {
        name: "gql-create",
        table: "workspaces",
        request: {
          method: "POST",
          url: `${gateway.url}/graphql`,
          headers: authHeaders(writer.token),
          body: JSON.stringify({
            query:
              "mutation ($input: CreateWorkspaceInput!) { createWorkspace(input: $input) { __typename ... on CreateWorkspaceSuccess { workspace { id status } } } }",
            variables: {
              input: {
                projectId: writer.project.id,
                hardware: { cpuKind: "SHARED", cpus: 2, memoryMb: 2048 },
                keepActive: false,
              },
            },
          }),
          expect: '"__typename":"CreateWorkspaceSuccess"',
        },
      },
      {
        name: "rest-get",
        request: {
          method: "GET",
          url: `${gateway.url}/workspaces/${readIds[0]}`,
          headers: { authorization: `Bearer ${reader.token}` },
          expect: `"id":"${readIds[0]}"`,
        },
      },
      {
        name: "gql-read",
        request: {
          method: "POST",
          url: `${gateway.url}/graphql`,
          headers: authHeaders(reader.token),
          body: JSON.stringify({ query: GQL_READ, variables: { id: reader.project.id } }),
          expect: '"project":{"name":"bench reads"}',
        },
      },
    ];
    for (const workload of workloads) {
      workload.script = await writeScript(workDir, workload.name, workload.request);
      await sanityCheck(workload);
    }
    // The 50th workspace is read back nested: check the page is full once.
    const page = await fetch(`${gateway.url}/graphql`, {
      method: "POST",
      headers: authHeaders(reader.token),
      body: JSON.stringify({ query: GQL_READ, variables: { id: reader.project.id } }),
    }).then(
      (r) => r.json() as Promise<{ data?: { project?: { workspaces?: { edges?: unknown[] } } } }>,
    );
    const edges = page.data?.project?.workspaces?.edges?.length ?? 0;
    if (edges !== 50) throw new Error(`gql-read: expected 50 workspaces, got ${edges}`);

    log(`  warm-up: every workload at c=16 for ${CONFIG.warmupS} s (discarded)`);
    for (const workload of workloads) await measure(workload, 16, CONFIG.warmupS, -1, pool);

    const samples: Sample[] = [];
    for (let rep = 0; rep < CONFIG.reps; rep++) {
      for (const [ci, connections] of CONCURRENCY.entries()) {
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
            `  rep ${rep + 1}/${CONFIG.reps} c=${String(connections).padEnd(2)} ${workload.name.padEnd(11)} ${sample.rps.toFixed(0).padStart(6)} req/s  p50 ${sample.latency_ms.p50} ms  p99 ${sample.latency_ms.p99} ms${errors}${rows}`,
          );
        }
      }
    }
    return {
      samples,
      summary: summarise(
        samples,
        workloads.map((w) => w.name),
      ),
    };
  } finally {
    await pool.end();
    await stop(gateway.child);
    await stop(floor.child);
  }
}

interface Row {
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

function summarise(samples: Sample[], names: string[]) {
  const rows: Row[] = [];
  const floorSpread: Record<string, { min: number; max: number; spread: number; noisy: boolean }> =
    {};
  for (const connections of CONCURRENCY) {
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

// ---------------------------------------------------------------------------------------------
// lifecycle-burst: N workspaces created at once through REST, then the time until all run.

async function burstPhase() {
  const n = CONFIG.burstN;
  log(`\n== lifecycle-burst: ${n} workspaces through REST, SIMULATED_PROVISION_DELAY_MS=1000`);
  await recreateDatabase(DB);
  const settings = { DATABASE_URL: databaseUrl(DB), SIMULATED_PROVISION_DELAY_MS: "1000" };
  const owner = await seed(settings, "bench-burst@example.com", "bench burst");
  const gateway = await startGateway("gateway", settings, join(workDir, "gateway-burst.log"));
  const pool = connect(DB);
  try {
    const client = start(
      "burst client",
      process.execPath,
      [
        "--import",
        "tsx",
        join(ROOT, "bench/clients/burst.ts"),
        gateway.url,
        owner.token,
        owner.project.id,
        String(n),
        "64",
      ],
      { cwd: ROOT },
    );
    let output = "";
    client.process.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    client.process.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const pollStarted = process.hrtime.bigint();
    const deadline = Date.now() + CONFIG.burstTimeoutS * 1000;
    let allRunningAt: bigint | undefined;
    let counts: Record<string, number> = {};
    let clientDone = false;
    void client.exited.then(() => {
      clientDone = true;
    });
    let lastLog = Date.now();
    while (Date.now() < deadline) {
      const result = await pool.query<{ status: string; n: string }>(
        "SELECT status::text AS status, count(*)::text AS n FROM workspaces WHERE project_id = $1 GROUP BY status",
        [owner.project.id],
      );
      counts = Object.fromEntries(result.rows.map((r) => [r.status, Number(r.n)]));
      if ((counts.running ?? 0) >= n) {
        allRunningAt = process.hrtime.bigint();
        break;
      }
      if (clientDone && client.process.exitCode !== 0) break;
      if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        log(`  ${JSON.stringify(counts)}`);
      }
      await sleep(250);
    }
    await client.exited;
    const line = output
      .trim()
      .split("\n")
      .find((l) => l.startsWith("{"));
    if (!line) throw new Error(`burst client failed: ${output.slice(0, 500)}`);
    const created = JSON.parse(line) as {
      started: string;
      finished: string;
      statuses: Record<string, number>;
      created: number;
    };
    const started = BigInt(created.started);
    const result = {
      n,
      created: created.created,
      statuses: created.statuses,
      create_s: round(Number(BigInt(created.finished) - started) / 1e9, 2),
      all_running_s: allRunningAt ? round(Number(allRunningAt - started) / 1e9, 2) : null,
      timeout_s: CONFIG.burstTimeoutS,
      final_counts: counts,
      poll_started_before_client_s: round(Number(started - pollStarted) / 1e9, 2),
    };
    log(
      `  created ${result.created}/${n} in ${result.create_s} s; all running after ${result.all_running_s ?? `> ${CONFIG.burstTimeoutS}`} s ${JSON.stringify(counts)}`,
    );
    return result;
  } finally {
    await pool.end();
    await stop(gateway.child);
  }
}

// ---------------------------------------------------------------------------------------------
// sub-idle and sub-fanout, in-process and with Redis.

interface Subscribers {
  child: Child;
  ready: Record<string, unknown>;
  next: (type: string, timeoutMs: number) => Promise<Record<string, unknown> | undefined>;
  send: (line: string) => void;
  close: () => Promise<void>;
}

async function openSubscribers(
  gateway: Gateway,
  token: string,
  ids: string[],
  target: string,
  name: string,
) {
  const file = join(workDir, `${name}.ids`);
  await writeFile(file, `${ids.join("\n")}\n`);
  const child = start(
    name,
    process.execPath,
    [
      "--max-old-space-size=4096",
      "--import",
      "tsx",
      join(ROOT, "bench/clients/subscribers.ts"),
      gateway.wsUrl,
      token,
      file,
      target,
    ],
    { cwd: ROOT },
  );
  const queue: Record<string, unknown>[] = [];
  const waiters: Array<() => void> = [];
  let stderr = "";
  child.process.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.process.stdout as NodeJS.ReadableStream });
  lines.on("line", (line) => {
    try {
      queue.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      return;
    }
    for (const wake of waiters.splice(0)) wake();
  });
  const next = async (type: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const index = queue.findIndex((m) => m.type === type);
      if (index >= 0) return queue.splice(index, 1)[0];
      if (child.process.exitCode !== null)
        throw new Error(`${name} exited: ${stderr.slice(0, 500)}`);
      await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), sleep(200)]);
    }
    return undefined;
  };
  const ready = await next("ready", 600_000);
  if (!ready) throw new Error(`${name}: subscriptions not open after 600 s`);
  const send = (line: string) => child.process.stdin?.write(`${line}\n`);
  const close = async () => {
    send("close");
    if ((await Promise.race([child.exited, sleep(15_000).then(() => "timeout")])) === "timeout")
      await stop(child);
  };
  return { child, ready, next, send, close } satisfies Subscribers;
}

async function stopCall(
  gateway: Gateway,
  token: string,
  id: string,
): Promise<{ t0: bigint; ms: number }> {
  const t0 = process.hrtime.bigint();
  const response = await fetch(`${gateway.url}/workspaces/${id}/stop`, {
    method: "POST",
    headers: authHeaders(token),
  });
  await response.arrayBuffer();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!response.ok) throw new Error(`stop ${id}: ${response.status}`);
  return { t0, ms: round(ms, 2) };
}

async function restart(gateway: Gateway, token: string, id: string): Promise<void> {
  await waitForStatus(gateway.url, token, id, "stopped");
  const response = await fetch(`${gateway.url}/workspaces/${id}/start`, {
    method: "POST",
    headers: authHeaders(token),
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`start ${id}: ${response.status}`);
  await waitForStatus(gateway.url, token, id, "running");
}

async function insertRunning(projectId: string, n: number): Promise<string[]> {
  const pool = connect(DB);
  try {
    const result = await pool.query<{ id: string }>(
      `INSERT INTO workspaces (id, project_id, status, desired_state, cpu_kind, cpus, memory_mb,
         volume_size_gb, keep_active, machine_id, private_ip, git_ref, preview_token, updated_at)
       SELECT gen_random_uuid(), $1, 'running'::"WorkspaceStatus", 'running'::"DesiredState",
         'shared'::"CpuKind", 2, 2048, 10, true, 'bench-' || g, '10.0.0.1', 'main',
         'ptk_bench' || md5(random()::text || g::text) || md5(random()::text), now()
       FROM generate_series(1, $2::int) AS g RETURNING id`,
      [projectId, n],
    );
    return result.rows.map((r) => r.id);
  } finally {
    await pool.end();
  }
}

async function subPhase(mode: "in-process" | "redis") {
  log(`\n== sub-idle and sub-fanout (${mode})`);
  await recreateDatabase(DB);
  const settings = {
    DATABASE_URL: databaseUrl(DB),
    SIMULATED_PROVISION_DELAY_MS: "200",
    REDIS_URL: mode === "redis" ? REDIS_URL : undefined,
  };
  const owner: Seed = await seed(settings, "bench-subs@example.com", "bench subscriptions");
  const gateway = await startGateway("gateway", settings, join(workDir, `gateway-sub-${mode}.log`));
  const result: Record<string, unknown> = { mode };
  try {
    const background = await insertRunning(owner.project.id, CONFIG.distinct);
    const target = await restCreate(gateway.url, owner.token, owner.project.id);
    const quiet = await restCreate(gateway.url, owner.token, owner.project.id);
    await waitForStatus(gateway.url, owner.token, target, "running");
    await waitForStatus(gateway.url, owner.token, quiet, "running");

    // sub-idle: RSS per subscribed WebSocket.
    await sleep(2000);
    const rssBefore = await rssKb(gateway.child.pid);
    const idle = await openSubscribers(
      gateway,
      owner.token,
      background.slice(0, CONFIG.idleSubs),
      target,
      "sub-idle",
    );
    await sleep(CONFIG.settleMs);
    const rssAfter = await rssKb(gateway.child.pid);
    result.sub_idle = {
      connections: CONFIG.idleSubs,
      failures: idle.ready.failures,
      first_failure: idle.ready.firstFailure || undefined,
      open_s: round(Number(idle.ready.ms) / 1000, 1),
      rss_before_mb: round(rssBefore / 1024, 1),
      rss_after_mb: round(rssAfter / 1024, 1),
      kb_per_connection: round((rssAfter - rssBefore) / CONFIG.idleSubs, 1),
    };
    log(`  sub-idle ${JSON.stringify(result.sub_idle)}`);
    await idle.close();
    await sleep(CONFIG.settleMs);

    // The REST stop with nobody watching (the first round is a warm-up, discarded).
    const alone: number[] = [];
    for (let round_ = 0; round_ <= CONFIG.fanoutRounds; round_++) {
      const { ms } = await stopCall(gateway, owner.token, quiet);
      if (round_ > 0) alone.push(ms);
      await restart(gateway, owner.token, quiet);
    }
    result.stop_without_watchers_ms = { median: round(median(alone), 2), all: alone };
    log(`  stop with no watchers: ${JSON.stringify(alone)} ms`);

    const scenarios = [
      ...CONFIG.fanout.map((n) => ({
        name: `${n} watching one workspace`,
        ids: Array<string>(n).fill(target),
      })),
      {
        name: `1 watching among ${CONFIG.distinct} distinct`,
        ids: [target, ...background.slice(0, CONFIG.distinct - 1)],
      },
    ];
    const fanout: Record<string, unknown>[] = [];
    for (const scenario of scenarios) {
      const subs = await openSubscribers(gateway, owner.token, scenario.ids, target, "sub-fanout");
      const rounds: Record<string, unknown>[] = [];
      let warmup: Record<string, unknown> = {};
      try {
        await sleep(CONFIG.settleMs / 2);
        // Round 0 is a warm-up (first event through fresh connections), discarded.
        for (let r = 0; r <= CONFIG.fanoutRounds; r++) {
          const { t0, ms } = await stopCall(gateway, owner.token, target);
          const all = await subs.next("all", 60_000);
          subs.send(`report ${t0}`);
          const report = await subs.next("report", 30_000);
          const entry = { stop_call_ms: ms, all_received: Boolean(all), ...report };
          if (r === 0) warmup = entry;
          else rounds.push(entry);
          await restart(gateway, owner.token, target);
          await sleep(300);
        }
      } finally {
        await subs.close();
      }
      const entry = {
        scenario: scenario.name,
        subscriptions: scenario.ids.length,
        failures: subs.ready.failures,
        open_s: round(Number(subs.ready.ms) / 1000, 1),
        stop_call_ms_median: round(median(rounds.map((r) => Number(r.stop_call_ms))), 2),
        p50_ms_median: round(median(rounds.map((r) => Number(r.p50_ms))), 2),
        p99_ms_median: round(median(rounds.map((r) => Number(r.p99_ms))), 2),
        received_all: rounds.every((r) => r.received === r.expected),
        rounds,
        warmup_round: warmup,
      };
      fanout.push(entry);
      log(
        `  ${scenario.name}: p50 ${entry.p50_ms_median} ms p99 ${entry.p99_ms_median} ms, stop call ${entry.stop_call_ms_median} ms, all received: ${entry.received_all}`,
      );
      await sleep(CONFIG.settleMs / 2);
    }
    result.sub_fanout = fanout;
    return result;
  } finally {
    await stop(gateway.child);
  }
}

// ---------------------------------------------------------------------------------------------
// The embedded database (figures only, no target): rest-create and rest-get at c=16.

async function embeddedPhase() {
  log("\n== embedded database (PGlite): rest-create and rest-get at c=16, floor on PostgreSQL");
  await recreateDatabase(DB);
  const dataDir = join(workDir, "embedded");
  const settings = { DATA_DIR: dataDir, SIMULATED_PROVISION_DELAY_MS: "1000" };
  const owner = await seed(settings, "bench-embedded@example.com", "bench embedded");
  const floor = await startFloor();
  const gateway = await startGateway("gateway", settings, join(workDir, "gateway-embedded.log"));
  const pool = connect(DB);
  try {
    const readId = await restCreate(gateway.url, owner.token, owner.project.id);
    const body = JSON.stringify({ keep_active: false });
    const workloads: Workload[] = [
      {
        name: "floor",
        table: "bench_floor",
        request: {
          method: "POST",
          url: `${floor.url}/projects/${owner.project.id}/workspaces`,
          headers: authHeaders(owner.token),
          body,
        },
      },
      {
        name: "rest-create",
        request: {
          method: "POST",
          url: `${gateway.url}/projects/${owner.project.id}/workspaces`,
          headers: authHeaders(owner.token),
          body,
          expect: '"status":"creating"',
        },
      },
      {
        name: "rest-get",
        request: {
          method: "GET",
          url: `${gateway.url}/workspaces/${readId}`,
          headers: { authorization: `Bearer ${owner.token}` },
          expect: readId,
        },
      },
    ];
    for (const workload of workloads) {
      workload.script = await writeScript(workDir, `embedded-${workload.name}`, workload.request);
      await sanityCheck(workload);
    }
    for (const workload of workloads) await measure(workload, 16, CONFIG.warmupS, -1, pool);
    const samples: Sample[] = [];
    for (let rep = 0; rep < 3; rep++) {
      const shift = rep % workloads.length;
      for (const workload of [...workloads.slice(shift), ...workloads.slice(0, shift)]) {
        samples.push(await measure(workload, 16, CONFIG.durationS, rep, pool));
      }
    }
    const rows = workloads.map((w) => {
      const mine = samples.filter((s) => s.workload === w.name);
      const floors = new Map(
        samples.filter((s) => s.workload === "floor").map((s) => [s.rep, s.rps]),
      );
      const ratios = mine.map((s) => s.rps / (floors.get(s.rep) ?? Number.NaN));
      return {
        workload: w.name,
        connections: 16,
        median_rps: round(median(mine.map((s) => s.rps)), 0),
        ratio_median: round(median(ratios), 3),
        ratio_min: round(min(ratios), 3),
        ratio_max: round(max(ratios), 3),
        p50_ms: round(median(mine.map((s) => s.latency_ms.p50)), 2),
        p99_ms: round(median(mine.map((s) => s.latency_ms.p99)), 2),
        errors: mine.reduce(
          (sum, s) => sum + Object.values(s.errors).reduce((a, b) => a + b, 0),
          0,
        ),
      };
    });
    for (const row of rows)
      log(`  ${row.workload.padEnd(11)} ${row.median_rps} req/s  × floor ${row.ratio_median}`);
    return { rows, samples };
  } finally {
    await pool.end();
    await stop(gateway.child);
    await stop(floor.child);
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  checkTools();
  const started = new Date();
  workDir = await mkdtemp(join(tmpdir(), "wg-bench-"));
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
    `  database ${DB} on 127.0.0.1:5432; ${CONFIG.reps} repetitions × ${CONFIG.durationS} s; logs in ${workDir}`,
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
  if (wanted("throughput")) result.throughput = await timed("throughput", throughputPhase);
  if (wanted("burst")) result.lifecycle_burst = await timed("burst", burstPhase);
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
  if (workDir) process.stderr.write(`  process logs kept in ${workDir}\n`);
  await cleanupOnce(true);
  process.exit(1);
}
