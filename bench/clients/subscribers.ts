/**
 * A separate client process of `npm run bench`: opens one graphql-ws connection per line of
 * the ids file, each with one `workspaceStatus` subscription, and timestamps (with
 * process.hrtime.bigint(), CLOCK_MONOTONIC, comparable across processes on Linux) every
 * STOPPING event on the target workspace.
 *
 * argv: <ws url> <token> <ids file> <target id>
 * stdout (JSON lines): {"type":"ready",...}, {"type":"all"} when every target watcher got the
 * event, {"type":"report",...} after `report <t0 ns>` on stdin; `close` on stdin ends it.
 */
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";

const [url = "", token, idsFile, target] = process.argv.slice(2);
if (!url || !token || !idsFile || !target) {
  process.stderr.write("usage: subscribers.ts <ws url> <token> <ids file> <target id>\n");
  process.exit(2);
}
const ids = (await readFile(idsFile, "utf8")).split("\n").filter(Boolean);
const expected = ids.filter((id) => id === target).length;
const OPEN_CONCURRENCY = Number(process.env.BENCH_OPEN_CONCURRENCY ?? 100);
const QUERY = "subscription ($id: ID!) { workspaceStatus(id: $id) { id status } }";

const emit = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);
const clients: Client[] = [];
let receipts: bigint[] = [];
let failures = 0;
let firstFailure = "";
let closedAfterReady = 0;
let ready = false;

function subscribe(id: string): Promise<void> {
  return new Promise((resolve) => {
    let settled = false;
    const done = () => {
      if (!settled) {
        settled = true;
        resolve();
      }
    };
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      lazy: false,
      retryAttempts: 0,
      keepAlive: 0,
      on: {
        closed: () => {
          if (ready) closedAfterReady++;
        },
      },
    });
    clients.push(client);
    let first = true;
    client.subscribe<{ workspaceStatus: { id: string; status: string } }>(
      { query: QUERY, variables: { id } },
      {
        next: (message) => {
          const at = process.hrtime.bigint();
          if (first) {
            first = false;
            if (message.errors || !message.data) {
              failures++;
              firstFailure ||= JSON.stringify(message.errors);
            }
            return done();
          }
          if (id === target && message.data?.workspaceStatus.status === "STOPPING") {
            receipts.push(at);
            if (receipts.length === expected) emit({ type: "all" });
          }
        },
        error: (error) => {
          failures++;
          firstFailure ||= error instanceof Error ? error.message : JSON.stringify(error);
          done();
        },
        complete: done,
      },
    );
  });
}

const started = process.hrtime.bigint();
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(OPEN_CONCURRENCY, ids.length) }, async () => {
    while (next < ids.length) {
      const id = ids[next++] as string;
      await subscribe(id);
    }
  }),
);
ready = true;
emit({
  type: "ready",
  subscriptions: ids.length,
  failures,
  firstFailure,
  expected,
  ms: Number(process.hrtime.bigint() - started) / 1e6,
});

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const [command, argument] = line.trim().split(" ");
  if (command === "report") {
    const t0 = BigInt(argument ?? "0");
    const latencies = receipts.map((at) => Number(at - t0) / 1e6).sort((a, b) => a - b);
    const pick = (p: number) =>
      latencies.length
        ? latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]
        : null;
    emit({
      type: "report",
      received: latencies.length,
      expected,
      closed: closedAfterReady,
      p50_ms: pick(50),
      p99_ms: pick(99),
      min_ms: latencies[0] ?? null,
      max_ms: latencies.at(-1) ?? null,
    });
    receipts = [];
  } else if (command === "close") {
    await Promise.all(clients.map((client) => client.dispose()));
    process.exit(0);
  }
}
process.exit(0);
