/**
 * The floor of `npm run bench`: a bare node:http + pg server doing one named prepared
 * INSERT … RETURNING per request into its own table. What a create costs with nothing but
 * HTTP parsing, JSON and one database round trip; the gateway's figures are ratios to it.
 *
 * env: DATABASE_URL (required), PORT, HOST (default 127.0.0.1), FLOOR_POOL (default 16).
 */
import { createServer } from "node:http";
import pg from "pg";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  process.stderr.write("floor-server: DATABASE_URL is required\n");
  process.exit(1);
}
const pool = new pg.Pool({
  connectionString: databaseUrl,
  max: Number(process.env.FLOOR_POOL ?? 16),
});
await pool.query(`CREATE TABLE IF NOT EXISTS bench_floor (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id text NOT NULL,
  body jsonb NOT NULL,
  status text NOT NULL DEFAULT 'creating',
  created_at timestamptz NOT NULL DEFAULT now()
)`);

const INSERT = {
  name: "bench_floor_insert",
  text: "INSERT INTO bench_floor (project_id, body) VALUES ($1, $2) RETURNING id, project_id, body, status, created_at",
};

const server = createServer((request, response) => {
  const send = (status: number, body: unknown) => {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
    });
    response.end(text);
  };
  if (request.method === "GET" && request.url === "/healthz") return send(200, { ok: true });
  const match = /^\/projects\/([^/]+)\/workspaces$/.exec(request.url ?? "");
  if (request.method !== "POST" || !match) return send(404, { error: "not found" });
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    let body: unknown;
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {};
    } catch {
      return send(400, { error: "malformed JSON" });
    }
    pool.query({ ...INSERT, values: [match[1], JSON.stringify(body)] }).then(
      (result) => send(201, result.rows[0]),
      () => send(500, { error: "insert failed" }),
    );
  });
});

server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 4100), process.env.HOST ?? "127.0.0.1");

const shutdown = () => {
  server.close();
  server.closeAllConnections();
  void pool.end().finally(() => process.exit(0));
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
