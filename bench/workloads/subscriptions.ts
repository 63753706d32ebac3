/**
 * sub-idle (gateway RSS per subscribed WebSocket) and sub-fanout (one stop watched by many:
 * latency from the stop request to each subscriber), in-process and with Redis. The graphql-ws
 * clients run in their own process (bench/clients/subscribers.ts).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { connect, databaseUrl, recreateDatabase } from "../lib/db.js";
import {
  authHeaders,
  type Gateway,
  ROOT,
  restCreate,
  type Seed,
  seed,
  startGateway,
  waitForStatus,
} from "../lib/gateway.js";
import { type Child, rssKb, start, stop } from "../lib/procs.js";
import { CONFIG, DB, log, REDIS_URL, run } from "../lib/runner.js";
import { median, round } from "../lib/stats.js";

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
  const file = join(run.workDir, `${name}.ids`);
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

export async function subPhase(mode: "in-process" | "redis") {
  log(`\n== sub-idle and sub-fanout (${mode})`);
  await recreateDatabase(DB);
  const settings = {
    DATABASE_URL: databaseUrl(DB),
    SIMULATED_PROVISION_DELAY_MS: "200",
    REDIS_URL: mode === "redis" ? REDIS_URL : undefined,
  };
  const owner: Seed = await seed(settings, "bench-subs@example.com", "bench subscriptions");
  const gateway = await startGateway(
    "gateway",
    settings,
    join(run.workDir, `gateway-sub-${mode}.log`),
  );
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
