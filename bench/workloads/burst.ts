/**
 * lifecycle-burst: N workspaces created at once through REST (a client process, 64 in flight),
 * then the time until all are running, and the PostgreSQL commits each workspace cost from
 * create to running (pg_stat_database.xact_commit: every transaction in the database in that
 * window, reads included, less the bench's own).
 */
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connect, databaseUrl, recreateDatabase } from "../lib/db.js";
import { ROOT, seed, startGateway } from "../lib/gateway.js";
import { start, stop } from "../lib/procs.js";
import { CONFIG, commitsSoFar, DB, log, run, STATS_SETTLE_MS } from "../lib/runner.js";
import { round } from "../lib/stats.js";

export async function burstPhase(n = CONFIG.burstN) {
  log(`\n== lifecycle-burst: ${n} workspaces through REST, SIMULATED_PROVISION_DELAY_MS=1000`);
  await recreateDatabase(DB);
  const settings = { DATABASE_URL: databaseUrl(DB), SIMULATED_PROVISION_DELAY_MS: "1000" };
  const owner = await seed(settings, "bench-burst@example.com", "bench burst");
  const gateway = await startGateway("gateway", settings, join(run.workDir, "gateway-burst.log"));
  const pool = connect(DB);
  try {
    // The gateway's start-up transactions reach pg_stat_database before the count begins.
    await sleep(STATS_SETTLE_MS);
    const commitsBefore = await commitsSoFar(pool);
    let benchTransactions = 1; // this process's own: the reads of xact_commit and the polls
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
      benchTransactions++;
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
    // The engine's idle ticks while the statistics settle are counted too: a few per second.
    await sleep(STATS_SETTLE_MS);
    const commits = (await commitsSoFar(pool)) - commitsBefore - benchTransactions;
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
      commits,
      commits_per_workspace: allRunningAt ? round(commits / Math.max(1, created.created), 2) : null,
    };
    log(
      `  created ${result.created}/${n} in ${result.create_s} s; all running after ${result.all_running_s ?? `> ${CONFIG.burstTimeoutS}`} s ${JSON.stringify(counts)}; ${result.commits_per_workspace} commits per workspace`,
    );
    return result;
  } finally {
    await pool.end();
    await stop(gateway.child);
  }
}
