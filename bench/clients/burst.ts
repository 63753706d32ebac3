/**
 * A separate client process of `npm run bench` (lifecycle-burst): creates N workspaces through
 * REST with C requests in flight, and prints when it started and finished (hrtime, ns).
 *
 * argv: <base url> <token> <project id> <n> <concurrency>
 */
const [url, token, projectId, nText, cText] = process.argv.slice(2);
if (!url || !token || !projectId) {
  process.stderr.write("usage: burst.ts <base url> <token> <project id> <n> <concurrency>\n");
  process.exit(2);
}
const n = Number(nText ?? 100);
const concurrency = Number(cText ?? 64);
const statuses: Record<string, number> = {};
const body = JSON.stringify({ keep_active: true });
const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };

const started = process.hrtime.bigint();
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) {
      next++;
      let key: string;
      try {
        const response = await fetch(`${url}/projects/${projectId}/workspaces`, {
          method: "POST",
          headers,
          body,
        });
        await response.arrayBuffer();
        key = String(response.status);
      } catch {
        key = "network";
      }
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
  }),
);
const finished = process.hrtime.bigint();
process.stdout.write(
  `${JSON.stringify({ started: started.toString(), finished: finished.toString(), statuses, created: statuses["201"] ?? 0 })}\n`,
);
process.exit(0);
