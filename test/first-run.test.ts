import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { banner } from "../src/operator/banner.js";
import { TEST_DATABASE_URL } from "./kit/database.js";
import { runCli, scratchPostgres } from "./kit/processes.js";
import { waitFor } from "./kit/wait.js";

const BIN = new URL("../bin/workspace-gateway.js", import.meta.url).pathname;
const ROOT = new URL("..", import.meta.url).pathname;
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

/** `serve` as a newcomer runs it: its whole stdout, as printed. */
function serve(env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, "serve"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  const out = { stdout: "", stderr: "" };
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out.stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    out.stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return {
    out,
    exited,
    /** Resolves once the banner is out (it ends with the operator line); fails if it exits. */
    ready: () =>
      Promise.race([
        waitFor(() => /^ {2}operator .*\n/m.test(out.stdout), {
          timeoutMs: 90_000,
          what: `the banner; stderr: ${out.stderr}`,
        }),
        exited.then((code) => {
          throw new Error(`the server exited (${code}) before its banner: ${out.stderr.trim()}`);
        }),
      ]),
    async stop() {
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    },
  };
}

function logLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("the first start on an empty DATA_DIR", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "wsg-first-run-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = { DATA_DIR: dataDir, SIMULATED_PROVISION_DELAY_MS: "50" };

  it("says it is initialising, greets, and prints a token whose curl line works as printed", async () => {
    const server = serve(env);
    await server.ready();
    const { stdout } = server.out;
    expect(stdout.split("\n")[0]).toBe(
      `initialising the embedded database in ${dataDir} (first start, about 10 s)…`,
    );
    const url = stdout.match(/^workspace-gateway is listening on (http:\/\/\S+)$/m)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stdout).toContain(`  console   ${url}/\n`);
    expect(stdout).toContain(`  GraphQL   ${url}/graphql  (GraphiQL in a browser)\n`);
    expect(stdout).toContain(`  data      ${dataDir} (embedded PostgreSQL)\n`);
    expect(stdout).toContain(
      `  operator  DATA_DIR=${dataDir} npx workspace-gateway --help   (user, project, token and workspace commands)\n`,
    );
    expect(stdout).toContain(
      `More tokens: DATA_DIR=${dataDir} npx workspace-gateway token create --user developer@example.com\n`,
    );
    const curl = stdout.match(/^ {2}(curl -s -X POST .*)$/m)?.[1] ?? "";
    expect(curl).toMatch(/Authorization: Bearer wsg_/);

    const { stdout: body } = await promisify(execFile)("sh", ["-c", curl]);
    const workspace = JSON.parse(body) as { id: string; status: string };
    expect(workspace.status).toBe("creating");

    // One log line per request, with method, URL, status and duration.
    const requestLines = await waitFor(() => {
      const lines = logLines(server.out.stdout).filter((line) =>
        String(line.url ?? "").endsWith("/workspaces"),
      );
      return lines.length > 0 && lines;
    });
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({ method: "POST", status: 201, ms: expect.any(Number) });
    expect(logLines(server.out.stdout).map((line) => line.msg)).not.toContain("incoming request");

    // The CLI's commands run inside the server that holds the embedded database.
    const users = await runCli<{ users: Array<{ email: string; tokens: number }> }>(
      ["user", "list", "--json"],
      env,
    );
    expect(users.users).toEqual([
      expect.objectContaining({ email: "developer@example.com", projects: 1, tokens: 1 }),
    ]);
    const workspaces = await runCli<{ workspaces: Array<{ id: string }> }>(
      ["workspace", "list", "--json"],
      env,
    );
    expect(workspaces.workspaces.map((row) => row.id)).toEqual([workspace.id]);
    expect(await runCli(["migrate", "--json"], env)).toEqual({ applied: [] });

    await server.stop();
  }, 150_000);

  it("a second start opens the database, creates no other user and prints no token", async () => {
    const server = serve(env);
    await server.ready();
    expect(server.out.stdout.split("\n")[0]).toBe(`opening the embedded database in ${dataDir}…`);
    expect(server.out.stdout).not.toMatch(/First start|Bearer/);
    const users = await runCli<{ users: unknown[] }>(["user", "list", "--json"], env);
    expect(users.users).toHaveLength(1);
    await server.stop();
  }, 120_000);

  it("logs readable lines (pino-pretty), not JSON, when stdout is a terminal", async () => {
    // script(1) (util-linux, always on Debian) runs the server on a pseudo-terminal.
    const command = `env PATH="$PATH" DATA_DIR=${dataDir} HOST=127.0.0.1 PORT=0 ${process.execPath} ${BIN} serve`;
    const child = spawn("script", ["-qfec", command, "/dev/null"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "" },
      stdio: ["ignore", "pipe", "ignore"],
      detached: true,
    });
    children.add(child);
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      await waitFor(() => output.includes("  operator  "), {
        timeoutMs: 90_000,
        what: "the banner",
      });
      expect(output).toMatch(/^\[\d\d:\d\d:\d\d\] .*INFO.*: .*workspace-gateway listening/m);
      expect(output).not.toContain('{"level"');
    } finally {
      if (child.pid) process.kill(-child.pid, "SIGTERM");
      await exited;
    }
  }, 120_000);
});

describe("the first-start banner's commands", () => {
  const firstUser = {
    user: { id: "u", email: "developer@example.com" },
    token: "wsg_x",
    project: { id: "p", name: "My project" },
  };
  const printed = (DATA_DIR: string) =>
    banner({ url: "http://127.0.0.1:4000", env: { DATA_DIR, GRAPHIQL: true }, firstUser });

  it("are plain `npx workspace-gateway` on the default ./.data", () => {
    expect(printed("./.data")).toContain(
      "\nMore tokens: npx workspace-gateway token create --user developer@example.com\n",
    );
    expect(printed(".data")).not.toContain("DATA_DIR=");
  });

  it("carry DATA_DIR=<absolute path> otherwise, quoted for a shell when needed", () => {
    expect(printed("other")).toContain(
      `\nMore tokens: DATA_DIR=${resolve("other")} npx workspace-gateway token create`,
    );
    expect(printed("/tmp/my data")).toContain(
      "\n  operator  DATA_DIR='/tmp/my data' npx workspace-gateway --help",
    );
  });
});

describe.skipIf(!TEST_DATABASE_URL)("serve on PostgreSQL", () => {
  it("never creates a development user, and says where the data is", async () => {
    const database = await scratchPostgres(TEST_DATABASE_URL ?? "", "first_run");
    try {
      const server = serve({ DATABASE_URL: database.url });
      await server.ready();
      const { host, pathname } = new URL(database.url);
      expect(server.out.stdout).toContain(`  data      PostgreSQL at ${host}${pathname}\n`);
      expect(server.out.stdout).not.toMatch(/First start|Bearer/);
      expect(
        await runCli<{ users: unknown[] }>(["user", "list", "--json"], {
          DATABASE_URL: database.url,
        }),
      ).toEqual({ users: [] });
      await server.stop();
    } finally {
      await database.drop();
    }
  }, 120_000);
});

describe("a configured Redis that cannot be reached", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "wsg-first-run-redis-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("stops start-up with one line that says what to do", async () => {
    const port = await closedPort();
    const server = serve({ DATA_DIR: dataDir, REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(await server.exited).toBe(1);
    expect(server.out.stderr).toBe(
      `workspace-gateway: REDIS_URL redis://127.0.0.1:${port} cannot be reached (connect ECONNREFUSED 127.0.0.1:${port}); start Redis, or unset REDIS_URL to run one replica without it\n`,
    );
  }, 30_000);
});

/** A port nothing listens on (bound, then closed). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
