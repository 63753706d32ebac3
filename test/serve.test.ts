import { execFile, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { graphqlWsClient } from "./kit/graphql.js";
import {
  killProcessesAfterAll,
  preparedDataDir,
  runCli,
  type ServerProcess,
  startServerProcess,
} from "./kit/processes.js";
import { Rest } from "./kit/rest.js";
import { sseWatch, wsWatch } from "./kit/subscriptions.js";
import { waitFor } from "./kit/wait.js";

const BIN = new URL("../bin/workspace-gateway.js", import.meta.url).pathname;
killProcessesAfterAll();

describe("serve on the embedded database", () => {
  const dataDir = preparedDataDir("serve");
  let server: ServerProcess;
  let token: string;
  let workspaceId: string;

  it("answers /healthz and /readyz on a new DATA_DIR", async () => {
    server = await startServerProcess({ DATA_DIR: dataDir });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", database: "up" });
  }, 120_000);

  it("serves Prometheus metrics, with request durations by route", async () => {
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(
      /^http_request_duration_seconds_count\{method="GET",route="\/readyz",status="200"\} 1$/m,
    );
  });

  it("keeps no esbuild process once the console is built and served", async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("console.js?v=");
    expect((await fetch(`${server.url}/console.js`)).status).toBe(200);
    const children = childCommands(server.pid);
    // esbuild builds in a child process of its own (31 MB), which must end with the build.
    expect(children.filter((command) => command.includes("esbuild"))).toEqual([]);
  });

  it("refuses a second serve on the same DATA_DIR with one clear line", async () => {
    const run = await promisify(execFile)(process.execPath, [BIN, "serve"], {
      env: { PATH: process.env.PATH ?? "", DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1" },
      timeout: 30_000,
    }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/DATA_DIR .* is in use by another workspace-gateway process/);
  });

  it("runs operator commands inside the running server and keeps what it acknowledged after kill -9", async () => {
    const seeded = await runCli<{ token: string; project: { id: string } }>(
      ["seed", "--email", "serve@example.com", "--json"],
      { DATA_DIR: dataDir },
    );
    const rest = new Rest(server.url, seeded.token);
    const created = await rest.createWorkspace(seeded.project.id, { keep_active: true });

    expect((await server.kill("SIGKILL")).signal).toBe("SIGKILL");
    server = await startServerProcess({ DATA_DIR: dataDir });
    const after = new Rest(server.url, seeded.token);
    const found = await after.getWorkspace(created.id);
    expect(found?.id).toBe(created.id);
    expect(found?.keep_active).toBe(true);
    token = seeded.token;
    workspaceId = created.id;
  }, 180_000);

  it("exits 0 on SIGTERM within 10 s, completing open subscriptions", async () => {
    const sse = sseWatch(server.url, token, workspaceId);
    const ws = graphqlWsClient(server.url, { authorization: `Bearer ${token}` });
    const overWs = wsWatch(ws.client, workspaceId);
    await sse.until("RUNNING");
    await overWs.until("RUNNING");

    const exit = await server.kill("SIGTERM", 10_000);
    expect(exit).toEqual({ code: 0, signal: null });
    await sse.ended();
    expect(sse.completed).toBe(true);
    await overWs.ended();
    await ws.dispose();
  });
});

describe("npm start", () => {
  const dataDir = preparedDataDir("npm-start");

  // A container runtime or process manager signals the process it started: npm, not node.
  it.each(["SIGTERM", "SIGINT"] as const)(
    "serves the gateway and ends it, exit 0 within 10 s, on %s sent to npm's pid",
    async (signal) => {
      const port = await freePort();
      const npm = spawn("npm", ["start"], {
        cwd: new URL("..", import.meta.url).pathname,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "",
          DATA_DIR: dataDir,
          PORT: String(port),
          HOST: "127.0.0.1",
        },
        stdio: ["ignore", "pipe", "ignore"],
      });
      let stdout = "";
      npm.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
      });
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
        npm.once("exit", (code, exitSignal) => resolve({ code, signal: exitSignal })),
      );
      let serverPid: number | undefined;
      try {
        const health = await waitFor(
          async () => {
            const response = await fetch(`http://127.0.0.1:${port}/healthz`);
            return response.ok ? response.json() : undefined;
          },
          { timeoutMs: 60_000, what: "npm start to answer /healthz" },
        );
        expect(health).toEqual({ status: "ok" });
        serverPid = (
          stdout
            .split("\n")
            .filter((line) => line.startsWith("{"))
            .map((line) => JSON.parse(line) as { msg: string; pid: number })
            .find((line) => line.msg === "workspace-gateway listening") ?? { pid: undefined }
        ).pid;
        expect(serverPid).toBeGreaterThan(0);
        expect(serverPid).not.toBe(npm.pid);

        npm.kill(signal);
        const exit = await Promise.race([
          exited,
          new Promise((resolve) => setTimeout(() => resolve("still running"), 10_000).unref()),
        ]);
        expect(exit).toEqual({ code: 0, signal: null });
        // The server itself is gone, not orphaned under init.
        expect(isAlive(serverPid as number)).toBe(false);
        await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
      } finally {
        if (serverPid && isAlive(serverPid)) process.kill(serverPid, "SIGKILL");
        if (npm.exitCode === null && npm.signalCode === null) npm.kill("SIGKILL");
      }
    },
    90_000,
  );
});

/** The command lines of a process's children, from /proc (every thread's list). */
function childCommands(pid: number): string[] {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((thread) =>
    readFileSync(`/proc/${pid}/task/${thread}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean),
  );
  return children.map((child) =>
    readFileSync(`/proc/${child}/cmdline`, "utf8").replaceAll("\0", " ").trim(),
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
