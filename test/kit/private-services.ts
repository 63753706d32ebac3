/**
 * A PostgreSQL cluster and a Redis server that a test owns (never the shared ones on 5432/6379),
 * for suites that stop, kill or restart them: Debian's PostgreSQL 15 binaries run as the
 * `postgres` OS user (tests run as root) on a free port, with trust auth, its data and its unix
 * socket in a temp dir; `redis-server` on a free port with no persistence. Each is its own
 * process group, so `kill()` takes the server down with every backend at once (a crash).
 *
 * `usePrivateServices()` registers an afterAll that kills whatever is still running and removes
 * the temp dirs, whether the tests passed or not.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chown, mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll } from "vitest";
import { waitFor } from "./wait.js";

const PG_BIN = "/usr/lib/postgresql/15/bin";
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

/** A free TCP port on the loopback interface (the OS picks one; closed before use). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Resolves once `host:port` refuses or accepts a TCP connection: true when it accepts. */
export function canConnect(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.connect(port, host);
  });
}

async function osUser(name: string): Promise<{ uid: number; gid: number }> {
  const run = promisify(execFile);
  const [uid, gid] = await Promise.all([
    run("id", ["-u", name]).then(({ stdout }) => Number(stdout.trim())),
    run("id", ["-g", name]).then(({ stdout }) => Number(stdout.trim())),
  ]);
  return { uid, gid };
}

/** A running child process, its recent output and its exit. */
class Child {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output = "";
  gone = false;

  constructor(readonly process: ChildProcess) {
    const keep = (chunk: string) => {
      this.output = (this.output + chunk).slice(-8000);
    };
    process.stdout?.setEncoding("utf8").on("data", keep);
    process.stderr?.setEncoding("utf8").on("data", keep);
    this.exited = new Promise((resolve) => {
      process.once("exit", (code, signal) => {
        this.gone = true;
        resolve({ code, signal });
      });
    });
  }

  /** Sends `signal` to the whole process group and waits (bounded) for the leader to exit. */
  async signal(signal: NodeJS.Signals): Promise<void> {
    if (this.gone) return;
    const pid = this.process.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`pid ${pid} still running ${STOP_TIMEOUT_MS} ms after ${signal}`)),
        STOP_TIMEOUT_MS,
      ).unref(),
    );
    await Promise.race([this.exited, timeout]);
  }
}

/** Every child any private service started, killed on exit whatever happens to the worker. */
const children = new Set<Child>();
process.once("exit", () => {
  for (const child of children) {
    if (!child.gone && child.process.pid !== undefined) {
      try {
        process.kill(-child.process.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }
});

function track(process: ChildProcess): Child {
  const child = new Child(process);
  children.add(child);
  void child.exited.then(() => children.delete(child));
  return child;
}

export interface PrivateService {
  readonly port: number;
  /** postgresql://… or redis://… */
  readonly url: string;
  /** True while its process runs. */
  readonly running: boolean;
  /** Starts it again after stop() or kill(), same port and data; resolves once it answers. */
  start(): Promise<void>;
  /** Clean shutdown (PostgreSQL: fast shutdown, SIGINT; Redis: SIGTERM); waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL to the whole process group: a crash. Waits for the exit. */
  kill(): Promise<void>;
  /** stop() then start(). */
  restart(): Promise<void>;
  /** Kills it if it runs and removes its files. */
  destroy(): Promise<void>;
}

export interface PrivatePostgres extends PrivateService {
  /** The URL of database `name` on this cluster (postgres when left out). */
  databaseUrl(name?: string): string;
  /** CREATE DATABASE `name`; its URL. */
  createDatabase(name: string): Promise<string>;
  /**
   * pg_terminate_backend for every connection to the database of `dbUrl` other than this
   * call's own (the gateway's pool); how many were terminated.
   */
  terminateBackends(dbUrl: string): Promise<number>;
  /** Runs one SQL statement as the superuser on database `database` (default postgres). */
  query<Row extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
    database?: string,
  ): Promise<Row[]>;
}

/**
 * initdb (no fsync, trust auth) in a temp dir owned by `postgres`, then the server on a free
 * port with fsync off, listening on 127.0.0.1 and a unix socket in the temp dir. Commits stay
 * synchronous (WAL written to the OS at commit, not fsynced): a committed row survives kill(),
 * as it would survive a crash of a real server.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const user = await osUser("postgres");
  const root = await mkdtemp(join(tmpdir(), "wsg-pg-"));
  await chown(root, user.uid, user.gid);
  const dataDir = join(root, "data");
  const socketDir = join(root, "socket");
  await mkdir(socketDir);
  await chown(socketDir, user.uid, user.gid);
  const env = { PATH: process.env.PATH, HOME: root, LANG: "C", LC_ALL: "C" };

  await new Promise<void>((resolve, reject) => {
    execFile(
      join(PG_BIN, "initdb"),
      [
        "-D",
        dataDir,
        "--no-sync",
        "--auth=trust",
        "--username=postgres",
        "--encoding=UTF8",
        "--locale=C",
        "--no-instructions",
      ],
      { uid: user.uid, gid: user.gid, env, cwd: root },
      (error, _stdout, stderr) =>
        error ? reject(new Error(`initdb failed: ${stderr.trim() || error.message}`)) : resolve(),
    );
  });

  const port = await freePort();
  const url = (name = "postgres") => `postgresql://postgres@127.0.0.1:${port}/${name}`;
  let child: Child | undefined;

  async function query<Row extends pg.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
    database = "postgres",
  ): Promise<Row[]> {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return (await client.query<Row>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  async function start(): Promise<void> {
    if (child && !child.gone) throw new Error("the private PostgreSQL is already running");
    const started = track(
      spawn(
        join(PG_BIN, "postgres"),
        [
          "-D",
          dataDir,
          "-p",
          String(port),
          "-k",
          socketDir,
          "-c",
          "listen_addresses=127.0.0.1",
          "-c",
          "fsync=off",
          "-c",
          "full_page_writes=off",
          "-c",
          "max_connections=100",
        ],
        { uid: user.uid, gid: user.gid, env, cwd: root, detached: true, stdio: "pipe" },
      ),
    );
    child = started;
    await waitFor(
      async () => {
        if (started.gone) throw new Error(`postgres exited: ${started.output.trim()}`);
        await query("SELECT 1");
        return true;
      },
      { timeoutMs: START_TIMEOUT_MS, intervalMs: 25, what: `PostgreSQL on port ${port}` },
    ).catch(async (error: unknown) => {
      await started.signal("SIGKILL");
      throw new Error(`${(error as Error).message}; output: ${started.output.slice(-1000)}`);
    });
  }

  const service: PrivatePostgres = {
    port,
    url: url(),
    get running() {
      return child !== undefined && !child.gone;
    },
    start,
    // SIGINT to the postmaster alone: PostgreSQL's "fast" shutdown (what pg_ctl stop -m fast sends).
    async stop() {
      if (!child || child.gone) return;
      const pid = child.process.pid;
      if (pid !== undefined) process.kill(pid, "SIGINT");
      await Promise.race([
        child.exited,
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error(`postgres still running ${STOP_TIMEOUT_MS} ms after SIGINT`)),
            STOP_TIMEOUT_MS,
          ).unref(),
        ),
      ]);
    },
    async kill() {
      await child?.signal("SIGKILL");
    },
    async restart() {
      await service.stop();
      await start();
    },
    async destroy() {
      await child?.signal("SIGKILL");
      await rm(root, { recursive: true, force: true });
    },
    databaseUrl: url,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      await query(`CREATE DATABASE ${name}`);
      return url(name);
    },
    async terminateBackends(dbUrl) {
      const database = decodeURIComponent(new URL(dbUrl).pathname.slice(1)) || "postgres";
      const rows = await query<{ terminated: boolean }>(
        `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
        [database],
      );
      return rows.filter((row) => row.terminated).length;
    },
    query,
  };
  try {
    await start();
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return service;
}

export interface PrivateRedis extends PrivateService {
  /** Sends one command over a fresh connection (RESP); its reply line. */
  command(...args: string[]): Promise<string>;
}

/** `redis-server --port <free> --save "" --appendonly no` on 127.0.0.1, files in a temp dir. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const root = await mkdtemp(join(tmpdir(), "wsg-redis-"));
  const port = await freePort();
  let child: Child | undefined;

  function command(...args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      let reply = "";
      socket.setEncoding("utf8");
      socket.setTimeout(5_000, () => {
        socket.destroy();
        reject(new Error(`redis on port ${port}: no reply`));
      });
      socket.once("error", reject);
      socket.on("data", (chunk: string) => {
        reply += chunk;
        const end = reply.indexOf("\r\n");
        if (end >= 0) {
          socket.destroy();
          resolve(reply.slice(0, end));
        }
      });
      socket.connect(port, "127.0.0.1", () => {
        socket.write(
          `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("")}`,
        );
      });
    });
  }

  async function start(): Promise<void> {
    if (child && !child.gone) throw new Error("the private Redis is already running");
    const started = track(
      spawn(
        "redis-server",
        [
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--save",
          "",
          "--appendonly",
          "no",
          "--dir",
          root,
          "--daemonize",
          "no",
        ],
        { cwd: root, detached: true, stdio: "pipe", env: { PATH: process.env.PATH } },
      ),
    );
    child = started;
    await waitFor(
      async () => {
        if (started.gone) throw new Error(`redis-server exited: ${started.output.trim()}`);
        return (await command("PING")) === "+PONG";
      },
      { timeoutMs: START_TIMEOUT_MS, intervalMs: 25, what: `Redis on port ${port}` },
    ).catch(async (error: unknown) => {
      await started.signal("SIGKILL");
      throw new Error(`${(error as Error).message}; output: ${started.output.slice(-1000)}`);
    });
  }

  const service: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    get running() {
      return child !== undefined && !child.gone;
    },
    start,
    async stop() {
      await child?.signal("SIGTERM");
    },
    async kill() {
      await child?.signal("SIGKILL");
    },
    async restart() {
      await service.stop();
      await start();
    },
    async destroy() {
      await child?.signal("SIGKILL");
      await rm(root, { recursive: true, force: true });
    },
    command,
  };
  try {
    await start();
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return service;
}

/**
 * For a describe block: start private services in beforeAll (or in a test) through the
 * returned functions; afterAll kills and removes every one of them, even after a failure.
 */
export function usePrivateServices() {
  const started: PrivateService[] = [];
  afterAll(async () => {
    const results = await Promise.allSettled(started.map((service) => service.destroy()));
    started.length = 0;
    const failed = results.find((result) => result.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
  });
  return {
    async postgres(): Promise<PrivatePostgres> {
      const service = await startPrivatePostgres();
      started.push(service);
      return service;
    },
    async redis(): Promise<PrivateRedis> {
      const service = await startPrivateRedis();
      started.push(service);
      return service;
    },
  };
}
