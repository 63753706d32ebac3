/**
 * Real server processes for the process suites (serve, crash, scale-out): `serve` and CLI runs of
 * bin/workspace-gateway.js, their logs, and scratch PostgreSQL databases of their own.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, inject } from "vitest";
import { waitFor } from "./wait.js";

const BIN = fileURLToPath(new URL("../../bin/workspace-gateway.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** One line of the server's pino log. */
export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface ServerProcess {
  url: string;
  pid: number;
  /** Every JSON log line so far (LOG_LEVEL=info). */
  logs: LogLine[];
  /** Resolves with the exit once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends the signal and waits (bounded) for the process to exit. */
  kill(
    signal: "SIGKILL" | "SIGTERM",
    timeoutMs?: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** How many times a process's provisioner ran `step` for a workspace, by its log lines. */
export function provisionerCalls(logs: LogLine[], workspaceId: string, step: string): number {
  return logs.filter(
    (line) =>
      line.msg === "provisioner step" && line.workspaceId === workspaceId && line.step === step,
  ).length;
}

const running = new Set<ChildProcess>();

/** Kills (-9) whatever the suite's processes left running, after the suite. */
export function killProcessesAfterAll(): void {
  afterAll(async () => {
    await Promise.all(
      [...running].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGKILL");
          }),
      ),
    );
  });
}

/**
 * A fresh DATA_DIR holding a copy of the migrated embedded database that the global setup made
 * once (a copy takes milliseconds; initialising one takes seconds of CPU). Removed after the file.
 */
export function preparedDataDir(label: string): string {
  const dataDir = mkdtempSync(join(tmpdir(), `wsg-${label}-`));
  cpSync(inject("preparedDataDir"), dataDir, { recursive: true });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  return dataDir;
}

function processEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  // The README's server may be running beside the tests on ./.data and port 4000: a test
  // process never touches either.
  if (env.DATA_DIR === undefined && env.DATABASE_URL === undefined) {
    throw new Error("a test process needs its own DATA_DIR or DATABASE_URL, never ./.data");
  }
  // Not the test runner's environment: only what a server is meant to read.
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: "info",
    // Limits are off unless a suite is about them (test/rate-limits.test.ts).
    RATE_LIMIT_PER_MINUTE: "0",
    CREATE_RATE_LIMIT_PER_MINUTE: "0",
    WORKSPACE_QUOTA: "0",
    ...env,
  };
}

/**
 * `node bin/workspace-gateway.js serve` with `env`, started with node directly so signals reach
 * the server itself. Resolves once it logs its URL and answers /healthz.
 */
export async function startServerProcess(
  env: Record<string, string>,
  { startTimeoutMs = 60_000 } = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, "serve"], {
    cwd: ROOT,
    env: processEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const logs: LogLine[] = [];
  let stderr = "";
  let buffered = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        // Not a log line; ignore.
      }
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  let gone = false;
  void exited.then(() => {
    gone = true;
  });

  const url = await waitFor(
    () => {
      if (gone) throw new Error(`server exited during start-up: ${stderr.trim()}`);
      const line = logs.find((entry) => entry.msg === "workspace-gateway listening");
      return typeof line?.url === "string" ? line.url : undefined;
    },
    { timeoutMs: startTimeoutMs, what: "the server to listen" },
  ).catch((error: unknown) => {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message}; stderr: ${stderr.trim().slice(-1000)}`);
  });
  await waitFor(async () => (await fetch(`${url}/healthz`)).ok, {
    timeoutMs: 10_000,
    what: "/healthz",
  });

  return {
    url,
    pid: child.pid ?? -1,
    logs,
    exited,
    async kill(signal, timeoutMs = 15_000) {
      child.kill(signal);
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error(`pid ${child.pid} still running ${timeoutMs} ms after ${signal}`)),
          timeoutMs,
        ).unref(),
      );
      return Promise.race([exited, timeout]);
    },
  };
}

/** Runs a CLI command (e.g. `seed --json`) to completion and parses its JSON output. */
export async function runCli<T>(args: string[], env: Record<string, string>): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: processEnv({ LOG_LEVEL: "silent", ...env }),
    timeout: 120_000,
  });
  return JSON.parse(stdout) as T;
}

/**
 * A database of its own on the TEST_DATABASE_URL server, dropped by `drop()`. Engines claim
 * every row of the database they run on, so suites that count steps or watch events across
 * processes must not share one with other suites' servers.
 */
export async function scratchPostgres(
  baseUrl: string,
  label: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `wsg_${label}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
