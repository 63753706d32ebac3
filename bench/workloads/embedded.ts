/** The embedded database (PGlite), figures only: rest-create and rest-get at c=16 beside the floor. */
import { join } from "node:path";
import { connect, recreateDatabase } from "../lib/db.js";
import { authHeaders, restCreate, seed, startGateway } from "../lib/gateway.js";
import { stop } from "../lib/procs.js";
import {
  CONFIG,
  DB,
  log,
  measure,
  run,
  type Sample,
  sanityCheck,
  startFloor,
  type Workload,
} from "../lib/runner.js";
import { max, median, min, round } from "../lib/stats.js";
import { writeScript } from "../lib/wrk.js";

export async function embeddedPhase() {
  log("\n== embedded database (PGlite): rest-create and rest-get at c=16, floor on PostgreSQL");
  await recreateDatabase(DB);
  const dataDir = join(run.workDir, "embedded");
  const settings = { DATA_DIR: dataDir, SIMULATED_PROVISION_DELAY_MS: "1000" };
  const owner = await seed(settings, "bench-embedded@example.com", "bench embedded");
  const floor = await startFloor();
  const gateway = await startGateway(
    "gateway",
    settings,
    join(run.workDir, "gateway-embedded.log"),
  );
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
      workload.script = await writeScript(
        run.workDir,
        `embedded-${workload.name}`,
        workload.request,
      );
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
