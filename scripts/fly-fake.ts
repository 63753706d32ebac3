/**
 * Runs the local Fly Machines API fake by hand, e.g. to drive `PROVIDER=fly` without an account:
 *   npx tsx scripts/fly-fake.ts --port 4280 --token dev --app demo [--transition-ms 500]
 */
import { parseArgs } from "node:util";
import { startFlyFake } from "../test/kit/fly-fake.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4280" },
    host: { type: "string", default: "127.0.0.1" },
    token: { type: "string", default: "dev" },
    app: { type: "string", default: "demo" },
    "transition-ms": { type: "string", default: "500" },
  },
});

const port = Number(values.port);
const transitionMs = Number(values["transition-ms"]);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`fly-fake: --port must be a port number, got "${values.port}"`);
  process.exit(2);
}
if (!Number.isFinite(transitionMs) || transitionMs < 0) {
  console.error(
    `fly-fake: --transition-ms must be a non-negative number, got "${values["transition-ms"]}"`,
  );
  process.exit(2);
}

const fake = await startFlyFake({
  port,
  host: values.host,
  token: values.token,
  app: values.app,
  transitionMs,
});
console.log(`Fly Machines API fake listening on ${fake.url} (app "${fake.app}")`);
console.log(`  FLY_API_BASE_URL=${fake.url} FLY_API_TOKEN=${fake.token} FLY_APP_NAME=${fake.app}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void fake.close().then(() => process.exit(0));
  });
}
