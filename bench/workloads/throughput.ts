/**
 * Throughput: the floor, the gateway's creates and reads through both doors, and the peer
 * (PostGraphile on the same database) reading and creating with the same shape of query, at
 * c = 1, 16, 64, interleaved; every figure a ratio to the floor of the same repetition.
 */
import { join } from "node:path";
import { connect, databaseUrl, recreateDatabase } from "../lib/db.js";
import { authHeaders, restCreate, seed, startGateway } from "../lib/gateway.js";
import { startPostGraphile } from "../lib/peer.js";
import { stop } from "../lib/procs.js";
import {
  CONCURRENCY,
  DB,
  interleaved,
  log,
  run,
  sanityCheck,
  startFloor,
  summarise,
  type Workload,
} from "../lib/runner.js";
import { writeScript } from "../lib/wrk.js";

/** A project's 50 workspaces with every field (history aside, a list of its own) and its project. */
const GQL_READ = `query ($id: ID!) { project(id: $id) { id name workspaces(first: 50) { edges { node {
  id projectId status keepActive machineId privateIp gitRef previewToken errorMessage createdAt
  updatedAt autoStopMinutes maxRunMinutes autoDeleteMinutes lastActivityAt autoStopAt autoDeleteAt
  stopReason labels { key value } hardware { cpuKind cpus memoryMb gpuKind volumeSizeGb }
  project { id name defaultBranch createdAt } } } } } }`;

/** The same page as PostGraphile's schema names it (columns and the project_id foreign key). */
const PEER_READ = `query ($id: UUID!) { projectById(id: $id) { id name
  workspacesByProjectId(first: 50, orderBy: [CREATED_AT_DESC, ID_DESC]) { edges { node {
  id projectId status keepActive machineId privateIp gitRef previewToken errorMessage createdAt
  updatedAt autoStopMinutes maxRunMinutes autoDeleteMinutes lastActivityAt autoStopAt autoDeleteAt
  stopReason labels cpuKind cpus memoryMb gpuKind volumeSizeGb
  projectByProjectId { id name defaultBranch createdAt } } } } } }`;

/** PostGraphile's generated create: the client names the id and the unique preview token. */
const PEER_CREATE = `mutation ($input: CreateWorkspaceInput!) { createWorkspace(input: $input) {
  workspace { id status } } }`;

/** The edges of a read's page, whichever schema answered. */
function pageLength(body: unknown): number {
  const project = (body as { data?: Record<string, Record<string, { edges?: unknown[] }>> }).data;
  const found = project?.project ?? project?.projectById;
  return (found?.workspaces ?? found?.workspacesByProjectId)?.edges?.length ?? 0;
}

export async function throughputPhase() {
  log(
    "\n== throughput (PostgreSQL): floor, rest-create, gql-create, rest-get, rest-list, gql-read, PostGraphile read and create",
  );
  await recreateDatabase(DB);
  const settings = { DATABASE_URL: databaseUrl(DB), SIMULATED_PROVISION_DELAY_MS: "1000" };
  const [writer, reader] = await Promise.all([
    seed(settings, "bench-writer@example.com", "bench writes"),
    seed(settings, "bench-reader@example.com", "bench reads"),
  ]);
  const floor = await startFloor();
  const gateway = await startGateway(
    "gateway",
    settings,
    join(run.workDir, "gateway-throughput.log"),
  );
  // After the gateway: its migrations made the tables PostGraphile reads its schema from.
  const peer = await startPostGraphile(databaseUrl(DB), join(run.workDir, "postgraphile.log"), log);
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
        // The same page of 50 through REST (the documented workspace object per row).
        name: "rest-list",
        request: {
          method: "GET",
          url: `${gateway.url}/projects/${reader.project.id}/workspaces?limit=50`,
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
          expect: '"defaultBranch":"main"',
        },
      },
      {
        name: "postgraphile-read",
        request: {
          method: "POST",
          url: peer.url,
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: PEER_READ, variables: { id: reader.project.id } }),
          expect: '"defaultBranch":"main"',
        },
      },
      {
        name: "postgraphile-create",
        table: "workspaces",
        request: {
          method: "POST",
          url: peer.url,
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            query: PEER_CREATE,
            variables: {
              input: {
                workspace: {
                  id: "__UUID__",
                  projectId: writer.project.id,
                  cpuKind: "SHARED",
                  cpus: 2,
                  memoryMb: 2048,
                  volumeSizeGb: 10,
                  keepActive: false,
                  previewToken: "ptk_bench__UUID__",
                },
              },
            },
          }),
          expect: '"status":"CREATING"',
          fresh: true,
        },
      },
    ];
    for (const workload of workloads) {
      workload.script = await writeScript(run.workDir, workload.name, workload.request);
      await sanityCheck(workload);
    }
    // Both reads answer the full page once, or the comparison means nothing.
    for (const workload of workloads.filter((w) => w.name.endsWith("-read"))) {
      const { request } = workload;
      const answer = await fetch(request.url, {
        method: "POST",
        headers: request.headers,
        body: request.body,
      }).then((r) => r.json());
      const edges = pageLength(answer);
      if (edges !== 50) throw new Error(`${workload.name}: expected 50 workspaces, got ${edges}`);
    }

    const samples = await interleaved(workloads, CONCURRENCY, pool);
    return {
      samples,
      summary: summarise(
        samples,
        workloads.map((w) => w.name),
      ),
    };
  } finally {
    await pool.end();
    await stop(peer.child);
    await stop(gateway.child);
    await stop(floor.child);
  }
}
