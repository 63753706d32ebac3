import { buildApp } from "./app.js";
import type { Env } from "./env.js";

/** `workspace-gateway serve`: run until SIGTERM/SIGINT, then stop within 10 seconds. */
export async function serve(env: Env): Promise<void> {
  const app = await buildApp({ env });
  const url = await app.start();
  app.http.log.info({ url, database: app.database.kind }, "workspace-gateway listening");
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.http.log.info({ signal }, "shutting down");
    const deadline = setTimeout(() => {
      app.http.log.error("shutdown took longer than 10 s; exiting");
      process.exit(1);
    }, 10_000);
    deadline.unref();
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        app.http.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}
