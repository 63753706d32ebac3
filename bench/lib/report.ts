/** bench/results/<YYYY-MM-DD-HHMM>.json, <stamp>.svg and summary.md (table + chart). */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Row } from "./runner.js";

const RESULTS = fileURLToPath(new URL("../results", import.meta.url));

function stamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}-${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}`;
}

const COLORS = ["#444444", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"];
const xml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** Throughput (median req/s) by concurrency, one line per workload, floor included. */
export function chart(rows: Row[], title: string): string {
  const width = 640;
  const height = 360;
  const left = 70;
  const right = 150;
  const top = 40;
  const bottom = 50;
  const names = [...new Set(rows.map((r) => r.workload))];
  const levels = [...new Set(rows.map((r) => r.connections))].sort((a, b) => a - b);
  const top_ = Math.max(1, ...rows.map((r) => r.median_rps));
  const step = 10 ** Math.floor(Math.log10(top_));
  const yMax = Math.ceil(top_ / step) * step;
  const x = (i: number) => left + ((width - left - right) * i) / Math.max(1, levels.length - 1);
  const y = (v: number) => top + (height - top - bottom) * (1 - v / yMax);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${xml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${xml(title)}</text>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const v = (yMax * i) / 5;
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${Math.round(v)}</text>`,
    );
  }
  levels.forEach((level, i) => {
    parts.push(
      `<text x="${x(i)}" y="${height - bottom + 18}" text-anchor="middle">c=${level}</text>`,
    );
  });
  parts.push(
    `<text x="${(left + width - right) / 2}" y="${height - 10}" text-anchor="middle">connections (wrk)</text>`,
    `<text x="16" y="${(top + height - bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(top + height - bottom) / 2})">median req/s (2xx)</text>`,
  );
  names.forEach((name, n) => {
    const color = COLORS[n % COLORS.length];
    const points = levels.map((level, i) => {
      const row = rows.find((r) => r.workload === name && r.connections === level);
      return row ? `${x(i)},${y(row.median_rps)}` : "";
    });
    const dash = name === "floor" ? ' stroke-dasharray="6 4"' : "";
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${points.filter(Boolean).join(" ")}"/>`,
    );
    for (const point of points.filter(Boolean)) {
      const [px, py] = point.split(",");
      parts.push(`<circle cx="${px}" cy="${py}" r="3" fill="${color}"/>`);
    }
    const ly = top + 10 + n * 18;
    parts.push(
      `<line x1="${width - right + 15}" x2="${width - right + 40}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${width - right + 46}" y="${ly + 4}">${xml(name)}</text>`,
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

/** gql-read ÷ postgraphile-read and gql-create ÷ postgraphile-create, by concurrency. */
function peerRatios(rows: Row[]): string[] {
  const pairs = [
    ["gql-read", "postgraphile-read"],
    ["gql-create", "postgraphile-create"],
  ];
  const out: string[] = [];
  for (const [ours, peer] of pairs) {
    for (const row of rows.filter((r) => r.workload === ours)) {
      const other = rows.find((r) => r.workload === peer && r.connections === row.connections);
      // Each one's median ratio to the floor of its own repetitions: steadier on a busy machine.
      if (row.ratio_median && other?.ratio_median) {
        out.push(
          `${ours} at c=${row.connections} ${(row.ratio_median / other.ratio_median).toFixed(2)}× ${peer}`,
        );
      }
    }
  }
  return out;
}

const fmt = (v: unknown) => (v === null || v === undefined || Number.isNaN(v) ? "–" : String(v));

export async function writeReport(
  // biome-ignore lint/suspicious/noExplicitAny: the result object is assembled by run.ts
  result: any,
  started: Date,
): Promise<{ json: string; summary: string }> {
  await mkdir(RESULTS, { recursive: true });
  const name = `${stamp(started)}${result.quick ? "-quick" : ""}`;
  const json = join(RESULTS, `${name}.json`);
  await writeFile(json, `${JSON.stringify(result, null, 2)}\n`);
  const md: string[] = [
    `# workspace-gateway bench — ${name}`,
    "",
    `Commit ${result.commit}; ${result.machine.cpus} CPUs, Node ${result.machine.node}, ${result.wrk}; load average at start ${result.machine.loadavg_start.join(" ")}, at end ${result.machine.loadavg_end.join(" ")}.`,
    `Gateway: \`node bin/workspace-gateway.js serve\` with ${Object.entries(result.settings)
      .map(([k, v]) => `\`${k}=${v}\``)
      .join(
        " ",
      )} (rate limits and quota switched off), PostgreSQL at 127.0.0.1:5432. Load: wrk in its own process, ${result.config.reps} interleaved repetitions of ${result.config.durationS} s in rotating order after a discarded warm-up.`,
    "Ratios are to the floor (bare `node:http` + `pg`, one named prepared `INSERT … RETURNING` per request) measured in the same repetition at the same concurrency: median (min–max). Only 2xx responses count as throughput.",
    `Raw data: [${name}.json](${name}.json).`,
    "",
    `**This machine:** the floor's p50 at c=1 (one HTTP round trip and one PostgreSQL commit) ${fmt(result.machine.floor_c1_p50_ms)} ms; ${fmt(result.machine.commits_per_workspace)} commits per workspace from create to running (pg_stat_database.xact_commit over ${fmt(result.machine.commits_per_workspace_n)} workspaces created at once: every transaction in that window, reads and engine ticks included, less the bench's own).`,
    "",
  ];
  const tp = result.throughput;
  if (tp) {
    const svg = `${name}.svg`;
    await writeFile(
      join(RESULTS, svg),
      chart(tp.summary.rows, `Throughput by concurrency (${name})`),
    );
    md.push(
      "## Throughput",
      "",
      tp.summary.noisy
        ? `**Noisy run**: the floor varied by more than 25% between repetitions at ${Object.entries(
            tp.summary.floorSpread,
          )
            .filter(([, f]) => (f as { noisy: boolean }).noisy)
            .map(
              ([c, f]) =>
                `c=${c} (${(f as { min: number }).min.toFixed(0)}–${(f as { max: number }).max.toFixed(0)} req/s)`,
            )
            .join(", ")}; read ratios there with care.`
        : "Floor spread within 25% at every concurrency (not marked noisy).",
      "",
      `![throughput by concurrency](${svg})`,
      "",
      `The gateway beside PostGraphile (same run; the quotient of their median ratios to the floor): ${peerRatios(tp.summary.rows as Row[]).join("; ") || "–"}.`,
      "",
      "| workload | c | req/s (median) | × floor median (min–max) | p50 ms | p99 ms | errors | rows = 2xx | noisy floor |",
      "|---|---:|---:|---|---:|---:|---:|:-:|:-:|",
    );
    for (const row of tp.summary.rows as Row[]) {
      const noisy = tp.summary.floorSpread[String(row.connections)]?.noisy ? "yes" : "";
      const ratio =
        row.workload === "floor"
          ? "1"
          : `${fmt(row.ratio_median)} (${fmt(row.ratio_min)}–${fmt(row.ratio_max)})`;
      const rows =
        row.rows_ok === null || row.rows_ok === undefined ? "" : row.rows_ok ? "yes" : "**no**";
      md.push(
        `| ${row.workload} | ${row.connections} | ${row.median_rps} | ${ratio} | ${row.p50_ms} | ${row.p99_ms} | ${row.errors} | ${rows} | ${noisy} |`,
      );
    }
    md.push("");
  }
  const burst = result.lifecycle_burst;
  if (burst) {
    md.push(
      "## lifecycle-burst",
      "",
      `${burst.n} workspaces created through REST (64 in flight, separate client process), \`SIMULATED_PROVISION_DELAY_MS=1000\`: created ${burst.created} in ${burst.create_s} s; all \`running\` ${burst.all_running_s === null ? `**not reached within ${burst.timeout_s} s** (${JSON.stringify(burst.final_counts)})` : `${burst.all_running_s} s after the first request`} (PostgreSQL polled every 250 ms by status); ${fmt(burst.commits_per_workspace)} commits per workspace (${fmt(burst.commits)} in all).`,
      "",
    );
  }
  if (result.subscriptions) {
    md.push(
      "## Subscriptions",
      "",
      "graphql-ws clients in a separate process (`bench/clients/subscribers.ts`), one connection per subscription; `SIMULATED_PROVISION_DELAY_MS=200` so stopped workspaces come back quickly. Latency: from just before the REST stop is sent to receipt of `STOPPING` at each subscriber (`process.hrtime.bigint()` in both processes); medians over the rounds after a discarded warm-up round.",
      "",
      "| fan-out | mode | subscriptions | p50 ms | p99 ms | REST stop call ms | all received |",
      "|---|---|---:|---:|---:|---:|:-:|",
    );
    for (const sub of result.subscriptions) {
      md.push(
        `| nobody watching | ${sub.mode} | 0 | | | ${fmt(sub.stop_without_watchers_ms?.median)} | |`,
      );
      for (const f of sub.sub_fanout ?? []) {
        md.push(
          `| ${f.scenario} | ${sub.mode} | ${f.subscriptions} | ${fmt(f.p50_ms_median)} | ${fmt(f.p99_ms_median)} | ${fmt(f.stop_call_ms_median)} | ${f.received_all ? "yes" : "**no**"} |`,
        );
      }
    }
    md.push(
      "",
      "| sub-idle | connections | gateway RSS before → after (MB) | KB per subscribed WebSocket | open time s | failures |",
      "|---|---:|---|---:|---:|---:|",
    );
    for (const sub of result.subscriptions) {
      const idle = sub.sub_idle;
      if (idle) {
        md.push(
          `| ${sub.mode} | ${idle.connections} | ${idle.rss_before_mb} → ${idle.rss_after_mb} | ${idle.kb_per_connection} | ${idle.open_s} | ${idle.failures} |`,
        );
      }
    }
    md.push("");
  }
  if (result.embedded) {
    md.push(
      "## Embedded database (PGlite), figures only",
      "",
      "Same gateway with `DATA_DIR` instead of `DATABASE_URL`; the floor still on PostgreSQL; c=16, 3 repetitions.",
      "",
      "| workload | req/s (median) | × floor median (min–max) | p50 ms | p99 ms | errors |",
      "|---|---:|---|---:|---:|---:|",
    );
    for (const row of result.embedded.rows as Row[]) {
      md.push(
        `| ${row.workload} | ${row.median_rps} | ${row.workload === "floor" ? "1" : `${fmt(row.ratio_median)} (${fmt(row.ratio_min)}–${fmt(row.ratio_max)})`} | ${row.p50_ms} | ${row.p99_ms} | ${row.errors} |`,
      );
    }
    md.push("");
  }
  // A quick run does not replace the summary of the last full run.
  const summary = join(RESULTS, result.quick ? "summary-quick.md" : "summary.md");
  await writeFile(summary, `${md.join("\n")}\n`);
  return { json, summary };
}
