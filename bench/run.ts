/**
 * `npm run bench`: throughput of the main routes against a started server, each reported as a
 * ratio to GET /healthz (the HTTP stack alone) measured in the same run, so figures compare
 * across machines. BENCH_DATABASE_URL benchmarks on PostgreSQL instead of the embedded database.
 */
import { PGlite } from "@electric-sql/pglite";
import autocannon from "autocannon";
import { buildApp } from "../src/app.js";
import { openDatabase, wrapPglite } from "../src/db/client.js";
import { parseEnv } from "../src/env.js";
import { seedUser } from "../test/kit/seed.js";

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);

const database = process.env.BENCH_DATABASE_URL
  ? await openDatabase({ databaseUrl: process.env.BENCH_DATABASE_URL, dataDir: "", migrate: true })
  : await wrapPglite(await PGlite.create(), { migrate: true });
const app = await buildApp({
  env: parseEnv({ PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", IDLE_TIMEOUT_MINUTES: "0" }),
  database,
});
const url = await app.start();
const { token, project } = await seedUser(app.services, "bench");
const principal = await app.services.tokens.authenticate(token);
if (!principal) throw new Error("the seeded token does not authenticate");
const created = await app.services.workspaces.create(principal.user, { projectId: project.id });
if (!created.ok) throw new Error(created.error.message);
const workspaceId = created.value.workspace.id;

const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
const scenarios: Array<{ name: string; options: autocannon.Options }> = [
  { name: "GET /healthz (baseline)", options: { url: `${url}/healthz` } },
  {
    name: "GET /workspaces/:id",
    options: { url: `${url}/workspaces/${workspaceId}`, headers: auth },
  },
  {
    name: "POST /projects/:id/workspaces",
    options: {
      url: `${url}/projects/${project.id}/workspaces`,
      method: "POST",
      headers: auth,
      body: JSON.stringify({ hardware: { cpus: 2 } }),
    },
  },
  {
    name: "GraphQL viewer → projects",
    options: {
      url: `${url}/graphql`,
      method: "POST",
      headers: auth,
      body: JSON.stringify({ query: "{ viewer { email projects(first: 10) { totalCount } } }" }),
    },
  },
  {
    name: "GraphQL createWorkspace",
    options: {
      url: `${url}/graphql`,
      method: "POST",
      headers: auth,
      body: JSON.stringify({
        query: `mutation { createWorkspace(input: { projectId: "${project.id}" }) { __typename } }`,
      }),
    },
  },
];

const rows: Array<{ name: string; rps: number; p50: number; p99: number; errors: number }> = [];
for (const { name, options } of scenarios) {
  const result = await autocannon({ ...options, connections: CONNECTIONS, duration: DURATION_S });
  const errors = result.errors + result.non2xx;
  rows.push({
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors,
  });
}
await app.stop();
await database.close();

const baseline = rows[0]?.rps ?? 1;
console.log(
  `\n${database.kind} database, ${CONNECTIONS} connections, ${DURATION_S} s each\n` +
    `${"scenario".padEnd(32)} ${"req/s".padStart(8)} ${"× baseline".padStart(11)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} errors`,
);
for (const row of rows) {
  console.log(
    `${row.name.padEnd(32)} ${row.rps.toFixed(0).padStart(8)} ${(row.rps / baseline).toFixed(3).padStart(11)} ${String(row.p50).padStart(7)} ${String(row.p99).padStart(7)} ${row.errors}`,
  );
}
process.exit(rows.some((row) => row.errors > 0) ? 1 : 0);
