import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, inject, it } from "vitest";
import { openDatabase } from "../src/db/client.js";
import { parseEnv } from "../src/env.js";
import { isWellFormedToken } from "../src/services/token-format.js";
import { storedLabels } from "../src/services/workspace-policy.js";
import { TEST_DATABASE_URL } from "./kit/database.js";
import { preparedDataDir } from "./kit/processes.js";
import { workspaceRow } from "./kit/seed.js";

const BIN = new URL("../bin/workspace-gateway.js", import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node bin/workspace-gateway.js …` as a user runs it, in `cwd` (a folder of its own by default). */
async function cli(args: string[], env: Record<string, string>, cwd = scratch): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      cwd,
      timeout: 90_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout: string; stderr: string };
    return { code: failed.code ?? -1, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Never the repository: the README's server may be running there on ./.data. */
const scratch = mkdtempSync(join(tmpdir(), "wsg-cli-cwd-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
// A copy of the database the global setup migrated once: no command here initialises one.
const dataDir = preparedDataDir("cli");

const targets: Array<{
  name: string;
  env: Record<string, string>;
  /** The line every text output ends with (neither is the default database). */
  database: string;
  skip: string | undefined;
}> = [
  {
    name: "embedded",
    env: { DATA_DIR: dataDir },
    database: `database: ${dataDir} (embedded PostgreSQL)`,
    skip: undefined,
  },
  {
    name: "postgres",
    env: { DATABASE_URL: TEST_DATABASE_URL ?? "" },
    database: TEST_DATABASE_URL
      ? `database: PostgreSQL at ${new URL(TEST_DATABASE_URL).host}${new URL(TEST_DATABASE_URL).pathname}`
      : "",
    skip: TEST_DATABASE_URL ? undefined : "TEST_DATABASE_URL is not set",
  },
];

for (const target of targets) {
  describe.skipIf(target.skip)(`CLI on ${target.name}`, () => {
    const email = `cli-${Date.now()}-${target.name}@example.com`;

    it("seed --json prints the user, a token and the new project", async () => {
      const run = await cli(
        ["seed", "--email", email, "--project-name", "Demo", "--json"],
        target.env,
      );
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const printed = JSON.parse(run.stdout);
      expect(Object.keys(printed).sort()).toEqual(["project", "token", "user"]);
      expect(Object.keys(printed.user).sort()).toEqual(["email", "id"]);
      expect(Object.keys(printed.project).sort()).toEqual(["id", "name"]);
      expect(printed.user.email).toBe(email);
      expect(printed.project.name).toBe("Demo");
      expect(isWellFormedToken(printed.token)).toBe(true);

      const again = JSON.parse(
        (await cli(["seed", "--email", email, "--json"], target.env)).stdout,
      );
      expect(again.user.id).toBe(printed.user.id);
      expect(again.token).not.toBe(printed.token);
      expect(again.project.id).not.toBe(printed.project.id);
    });

    it("user create, token create, project create and token revoke work by email", async () => {
      const user = JSON.parse(
        (await cli(["user", "create", "--email", `ops-${email}`, "--json"], target.env)).stdout,
      );
      expect(user.email).toBe(`ops-${email}`);
      const token = JSON.parse(
        (await cli(["token", "create", "--user", user.email, "--json"], target.env)).stdout,
      );
      expect(token.user_id).toBe(user.id);
      expect(isWellFormedToken(token.token)).toBe(true);
      expect(token.token.startsWith(token.prefix)).toBe(true);
      const project = JSON.parse(
        (
          await cli(
            ["project", "create", "--owner", user.id, "--name", "Ops", "--json"],
            target.env,
          )
        ).stdout,
      );
      expect(project).toMatchObject({ name: "Ops", owner_id: user.id, default_branch: "main" });
      const revoked = await cli(["token", "revoke", token.token, "--json"], target.env);
      expect(revoked.code).toBe(0);
      expect(JSON.parse(revoked.stdout).id).toBe(token.id);

      const empty = await cli(
        ["project", "create", "--owner", user.id, "--name", " ", "--json"],
        target.env,
      );
      expect(empty.stderr).toBe("workspace-gateway: --name must be 1 to 200 characters\n");
    });

    it("token create prints the id and prefix beside the token", async () => {
      const run = await cli(["token", "create", "--user", email], target.env);
      expect(run.code).toBe(0);
      const [tokenLine, idLine, prefixLine] = run.stdout.trim().split("\n");
      const token = tokenLine?.match(/^token +(wsg_\S+) +\(shown once; keep it\)$/)?.[1] ?? "";
      expect(isWellFormedToken(token)).toBe(true);
      expect(idLine).toMatch(/^id +[0-9a-f-]{36}$/);
      expect(prefixLine).toMatch(/^prefix +(\S+)$/);
      expect(run.stdout.trim().split("\n").at(-1)).toBe(target.database);
      expect(token.startsWith(prefixLine?.split(/ +/)[1] ?? "-")).toBe(true);
    });

    it("token create --project --role --expires-in-days --name limits the token; 365 days pass, 366 and another's project are refused by flag", async () => {
      const seeded = JSON.parse(
        (await cli(["seed", "--email", `scoped-${email}`, "--json"], target.env)).stdout,
      );
      const other = JSON.parse(
        (await cli(["seed", "--email", `other-${email}`, "--json"], target.env)).stdout,
      );
      const base = ["token", "create", "--user", `scoped-${email}`];
      const scope = ["--project", seeded.project.id, "--role", "viewer", "--name", "ci"];
      const made = await cli([...base, ...scope, "--expires-in-days", "365", "--json"], target.env);
      expect(made.stderr).toBe("");
      const printed = JSON.parse(made.stdout);
      expect(printed).toMatchObject({
        user_id: seeded.user.id,
        name: "ci",
        project_id: seeded.project.id,
        role: "viewer",
      });
      expect(isWellFormedToken(printed.token)).toBe(true);
      const days = (Date.parse(printed.expires_at) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(364.9);
      expect(days).toBeLessThanOrEqual(365);
      // As text: the limits below the three lines every token create prints.
      const text = await cli([...base, ...scope], target.env);
      expect(text.code).toBe(0);
      const lines = text.stdout.trim().split("\n");
      expect(lines.slice(3)).toEqual([
        "name     ci",
        `project  ${seeded.project.id}`,
        "role     viewer",
        target.database,
      ]);
      // Left out: no limits, named "cli", as before.
      const plain = JSON.parse((await cli([...base, "--json"], target.env)).stdout);
      expect(plain).toMatchObject({ name: "cli", project_id: null, role: null, expires_at: null });

      const refusals: [string[], string][] = [
        [
          ["--expires-in-days", "366"],
          "--expires-in-days must be a whole number of days from 1 to 365",
        ],
        [
          ["--expires-in-days", "0"],
          "--expires-in-days must be a whole number of days from 1 to 365",
        ],
        [
          ["--expires-in-days", "1.5"],
          "--expires-in-days must be a whole number of days from 1 to 365",
        ],
        [["--role", "owner"], '--role must be one of viewer, developer, admin, got "owner"'],
        // Not a member of it: the same as no such project.
        [["--project", other.project.id], `no project with id "${other.project.id}"`],
        [["--project", "42"], 'no project with id "42"'],
        [["--name", ""], "--name must be 1 to 100 characters"],
        [["--name", "x".repeat(101)], "--name must be 1 to 100 characters"],
      ];
      for (const [flags, message] of refusals) {
        const run = await cli([...base, ...flags], target.env);
        expect(run, flags.join(" ")).toMatchObject({
          code: 1,
          stdout: "",
          stderr: `workspace-gateway: ${message}\n`,
        });
      }
      // 100 characters pass; the refusals above issued nothing.
      const named = await cli([...base, "--name", "x".repeat(100), "--json"], target.env);
      expect(JSON.parse(named.stdout).name).toBe("x".repeat(100));
      const tokens = JSON.parse(
        (await cli(["token", "list", "--user", `scoped-${email}`, "--json"], target.env)).stdout,
      ).tokens;
      // seed's, the two scoped ones, the plain one and the 100-character one.
      expect(tokens).toHaveLength(5);
    }, 180_000);

    it("token list shows each token's name, project, role and expiry, newest first", async () => {
      const seeded = JSON.parse(
        (await cli(["seed", "--email", `tokens-${email}`, "--json"], target.env)).stdout,
      );
      const base = ["token", "create", "--user", seeded.user.id, "--json"];
      const scoped = JSON.parse(
        (
          await cli(
            [...base, "--name", "ci", "--project", seeded.project.id, "--role", "viewer"],
            target.env,
          )
        ).stdout,
      );
      const expiring = JSON.parse(
        (await cli([...base, "--name", "laptop", "--expires-in-days", "30"], target.env)).stdout,
      );
      expect((await cli(["token", "revoke", scoped.id], target.env)).code).toBe(0);

      const listed = await cli(
        ["token", "list", "--user", `tokens-${email}`, "--json"],
        target.env,
      );
      expect(listed.stderr).toBe("");
      const tokens = JSON.parse(listed.stdout).tokens;
      expect(tokens.map((token: { id: string }) => token.id)).toEqual([
        expiring.id,
        scoped.id,
        expect.any(String),
      ]);
      expect(tokens[0]).toMatchObject({
        name: "laptop",
        project_id: null,
        role: null,
        expires_at: expiring.expires_at,
        revoked_at: null,
      });
      expect(tokens[1]).toMatchObject({
        name: "ci",
        project_id: seeded.project.id,
        role: "viewer",
        expires_at: null,
        revoked_at: expect.stringMatching(/Z$/),
      });
      // seed's token: no name, no limits.
      expect(tokens[2]).toMatchObject({
        name: null,
        project_id: null,
        role: null,
        expires_at: null,
      });
      for (const secret of [seeded.token, scoped.token, expiring.token]) {
        expect(listed.stdout).not.toContain(secret);
      }

      // As text: one aligned row per token, "-" where a token has no limit.
      const text = await cli(["token", "list", "--user", seeded.user.id], target.env);
      const rows = text.stdout.trim().split("\n").slice(1, 4);
      const cells = rows.map((line) => line.split(/ +/));
      expect(cells.map((row) => [row[0], row[1], row[3], row[4], row[7], row[8]])).toEqual([
        [expiring.id, "laptop", "-", "-", expiring.expires_at, "-"],
        [scoped.id, "ci", seeded.project.id, "viewer", "-", tokens[1].revoked_at],
        [tokens[2].id, "-", "-", "-", "-", "-"],
      ]);
    });

    it("lists users, projects, a user's tokens (never the secret) and workspaces", async () => {
      const seeded = JSON.parse(
        (
          await cli(
            ["seed", "--email", `list-${email}`, "--project-name", "Listed", "--json"],
            target.env,
          )
        ).stdout,
      );
      const users = JSON.parse((await cli(["user", "list", "--json"], target.env)).stdout);
      expect(users.users).toContainEqual({
        id: seeded.user.id,
        email: `list-${email}`,
        created_at: expect.stringMatching(/Z$/),
        projects: 1,
        tokens: 1,
      });
      const projects = JSON.parse(
        (await cli(["project", "list", "--owner", `list-${email}`, "--json"], target.env)).stdout,
      );
      expect(projects.projects).toEqual([
        {
          id: seeded.project.id,
          name: "Listed",
          owner_id: seeded.user.id,
          owner_email: `list-${email}`,
          default_branch: "main",
          created_at: expect.stringMatching(/Z$/),
          workspaces: 0,
        },
      ]);
      const tokens = await cli(["token", "list", "--user", seeded.user.id, "--json"], target.env);
      expect(tokens.stdout).not.toContain(seeded.token);
      expect(JSON.parse(tokens.stdout).tokens).toEqual([
        {
          id: expect.any(String),
          name: null,
          prefix: seeded.token.slice(0, JSON.parse(tokens.stdout).tokens[0].prefix.length),
          project_id: null,
          role: null,
          created_at: expect.stringMatching(/Z$/),
          last_used_at: null,
          expires_at: null,
          revoked_at: null,
        },
      ]);
      const text = await cli(["token", "list", "--user", seeded.user.id], target.env);
      expect(text.stdout.split("\n")[0]).toMatch(
        /^ID +NAME +PREFIX +PROJECT ID +ROLE +CREATED AT +LAST USED AT +EXPIRES AT +REVOKED AT$/,
      );
      const workspaces = await cli(
        ["workspace", "list", "--project", seeded.project.id, "--status", "running"],
        target.env,
      );
      expect(workspaces).toMatchObject({
        code: 0,
        stdout: `no workspaces\n${target.database}\n`,
      });
    }, 120_000);

    it("workspace list --label k=v filters by label, repeated for all of several; a bad one is refused naming it", async () => {
      const seeded = JSON.parse(
        (await cli(["seed", "--email", `labels-${email}`, "--json"], target.env)).stdout,
      );
      // Rows written the way the services store labels, with the CLI's process not running.
      const database = await openDatabase({
        databaseUrl: target.env.DATABASE_URL || undefined,
        dataDir: target.env.DATA_DIR ?? "",
        migrate: false,
      });
      const ids: string[] = [];
      try {
        const labelled: Record<string, string>[] = [
          { team: "ml", env: "prod" },
          { team: "ml", env: "dev" },
          { team: "web" },
        ];
        for (const [minute, labels] of labelled.entries()) {
          const row = await database.prisma.workspace.create({
            data: workspaceRow(seeded.project.id, {
              labels: storedLabels(labels),
              createdAt: new Date(Date.UTC(2026, 0, 1, 0, minute)),
            }),
          });
          ids.push(row.id);
        }
      } finally {
        await database.close();
      }
      const [prod, dev] = ids;
      const listed = async (...labels: string[]) => {
        const args = ["workspace", "list", "--project", seeded.project.id, "--json"];
        const run = await cli([...args, ...labels.flatMap((l) => ["--label", l])], target.env);
        expect(run.code, run.stderr).toBe(0);
        return JSON.parse(run.stdout).workspaces.map((w: { id: string }) => w.id);
      };
      expect(await listed()).toEqual([...ids].reverse());
      expect(await listed("team=ml")).toEqual([dev, prod]);
      expect(await listed("team=ml", "env=prod")).toEqual([prod]);
      // All of them: neither the first nor the last alone, nor any of them.
      expect(await listed("env=prod", "team=web")).toEqual([]);
      const args = ["workspace", "list", "--project", seeded.project.id, "--label", "env=dev"];
      const shown = JSON.parse((await cli([...args, "--json"], target.env)).stdout);
      expect(shown.workspaces).toEqual([
        expect.objectContaining({ id: dev, labels: { env: "dev", team: "ml" } }),
      ]);
      for (const [label, message] of [
        ["team", /^workspace-gateway: --label must be key=value \(got "team"\)$/],
        ["bad key=x", /^workspace-gateway: --label key "bad key": /],
        ["team=ml-", /^workspace-gateway: --label "team": the value "ml-" /],
      ] as const) {
        const run = await cli(
          ["workspace", "list", "--label", "team=ml", "--label", label],
          target.env,
        );
        expect(run.code, label).not.toBe(0);
        expect(run.stdout).toBe("");
        expect(run.stderr.trim().split("\n")).toHaveLength(1);
        expect(run.stderr.trim()).toMatch(message);
      }
    }, 180_000);

    it.each([
      ["seed without --email", ["seed", "--json"], /--email/],
      ["an invalid email", ["user", "create", "--email", "not-an-email"], /email/],
      [
        "an unknown user",
        ["token", "create", "--user", "nobody@example.com"],
        /^workspace-gateway: no user with id or email "nobody@example.com"$/,
      ],
      ["an unknown token", ["token", "revoke", "wsg_nothing"], /no token with that value/],
      [
        "a workspace status that does not exist",
        ["workspace", "list", "--status", "sleeping"],
        /^workspace-gateway: --status must be one of creating, .*stop_failed, got "sleeping"$/,
      ],
      [
        "a project id that is not one",
        ["workspace", "list", "--project", "42"],
        /^workspace-gateway: --project must be a project id \(a UUID\), got "42"$/,
      ],
    ])("fails with one line on stderr for %s", async (_name, args, message) => {
      const run = await cli(args, target.env);
      expect(run.code).not.toBe(0);
      expect(run.stdout).toBe("");
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stderr.trim()).toMatch(message);
    });
  });
}

describe("CLI configuration", () => {
  it.each([
    [{ PORT: "eighty" }, 'PORT must be a number, got "eighty"'],
    [{ PORT: "65536" }, 'PORT must be at most 65535, got "65536"'],
    [{ PORT: "80.5" }, 'PORT must be a whole number, got "80.5"'],
    [
      { DATABASE_URL: "mysql://app:hunter2@localhost/db" },
      'DATABASE_URL must be a postgresql:// URL, got "mysql://app:***@localhost/db"',
    ],
    [
      { SIMULATED_PROVISION_DELAY_MS: "-5" },
      'SIMULATED_PROVISION_DELAY_MS must be at least 0, got "-5"',
    ],
    [
      { LOG_LEVEL: "loud" },
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ],
    [{ GRAPHIQL: "maybe" }, 'GRAPHIQL must be true or false, got "maybe"'],
  ])("stops with one plain line for %j", async (env, line) => {
    const run = await cli(["serve"], { DATA_DIR: dataDir, ...env });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(`workspace-gateway: ${line}\n`);
  });

  it("takes PORT 65535 and refuses 65536 (the limit, n and n+1)", () => {
    expect(parseEnv({ PORT: "65535" }).PORT).toBe(65535);
    expect(() => parseEnv({ PORT: "65536" })).toThrow("PORT must be at most 65535");
  });
});

describe("CLI usage", () => {
  it("--version prints the package's version", async () => {
    const { version } = JSON.parse(
      readFileSync(new URL("../package.json", import.meta.url), "utf8"),
    ) as { version: string };
    expect(await cli(["--version"], {})).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it.each([
    [["frobnicate"], "unknown command 'frobnicate'; see workspace-gateway --help"],
    [["sed"], "unknown command 'sed' (Did you mean seed?); see workspace-gateway --help"],
    [
      ["token", "lst"],
      "unknown command 'lst' (Did you mean list?); see workspace-gateway token --help",
    ],
    [
      ["token", "list"],
      "required option '--user <id|email>' not specified; see workspace-gateway token list --help",
    ],
  ])("%j fails with one line that points to --help", async (args, line) => {
    expect(await cli(args, { DATA_DIR: dataDir })).toEqual({
      code: 1,
      stdout: "",
      stderr: `workspace-gateway: ${line}\n`,
    });
  });
});

describe("CLI database choice (run in a folder of its own, as a user would)", () => {
  /** An empty folder to run in; nothing of the repository around it. */
  function folder(): string {
    const path = mkdtempSync(join(tmpdir(), "wsg-cli-folder-"));
    afterAll(() => rmSync(path, { recursive: true, force: true }));
    return path;
  }
  const refusal = (dir: string) =>
    `workspace-gateway: no embedded database in ${dir} (DATA_DIR); run this where the server runs, or set DATA_DIR (or DATABASE_URL) to the server's\n`;

  it.each([
    [["user", "list"]],
    [["project", "list", "--json"]],
    [["token", "list", "--user", "someone@example.com"]],
    [["workspace", "list"]],
    [["user", "create", "--email", "someone@example.com"]],
    [["token", "create", "--user", "someone@example.com"]],
    [["token", "revoke", "wsg_nothing"]],
    [["project", "create", "--owner", "someone@example.com", "--name", "P"]],
  ])(
    "%j refuses where there is no database, naming the DATA_DIR, and creates none",
    async (args) => {
      const cwd = folder();
      expect(await cli(args, {}, cwd)).toEqual({
        code: 1,
        stdout: "",
        stderr: refusal(join(cwd, ".data")),
      });
      expect(existsSync(join(cwd, ".data"))).toBe(false);
      const relative = await cli(args, { DATA_DIR: "elsewhere" }, cwd);
      expect(relative.stderr).toBe(refusal(join(cwd, "elsewhere")));
      expect(existsSync(join(cwd, "elsewhere"))).toBe(false);
    },
  );

  it("names the database in text output when DATA_DIR is not ./.data, and not in --json", async () => {
    const cwd = folder();
    cpSync(inject("preparedDataDir"), join(cwd, "other"), { recursive: true });
    expect(await cli(["user", "list"], { DATA_DIR: "other" }, cwd)).toEqual({
      code: 0,
      stdout: `no users\ndatabase: ${join(cwd, "other")} (embedded PostgreSQL)\n`,
      stderr: "",
    });
    expect(await cli(["user", "list", "--json"], { DATA_DIR: "other" }, cwd)).toEqual({
      code: 0,
      stdout: '{"users":[]}\n',
      stderr: "",
    });
  });

  it("says nothing more on the default ./.data of the folder it runs in", async () => {
    const cwd = folder();
    cpSync(inject("preparedDataDir"), join(cwd, ".data"), { recursive: true });
    expect(await cli(["user", "list"], {}, cwd)).toEqual({
      code: 0,
      stdout: "no users\n",
      stderr: "",
    });
  });

  it("seed creates a database where there is none, and says where", async () => {
    const cwd = folder();
    const run = await cli(["seed", "--email", "new@example.com"], {}, cwd);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n").at(-1)).toBe(
      `database: created the embedded database in ${join(cwd, ".data")}`,
    );
    const users = await cli(["user", "list", "--json"], {}, cwd);
    expect(JSON.parse(users.stdout).users).toHaveLength(1);
  }, 180_000);

  it("never prints DATABASE_URL's password, failing or not", async () => {
    const unreachable = "postgresql://app:hunter2@127.0.0.1:1/nothing";
    const failed = await cli(["user", "list"], { DATABASE_URL: unreachable });
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim().split("\n")).toHaveLength(1);
    expect(failed.stderr).not.toContain("hunter2");
  });

  it.skipIf(!TEST_DATABASE_URL)(
    "names PostgreSQL by host and database, without the password",
    async () => {
      const url = new URL(TEST_DATABASE_URL ?? "");
      // Trust and password authentication alike accept the URL's own password.
      url.password ||= "hunter2";
      const run = await cli(["user", "list"], { DATABASE_URL: url.href });
      expect(run.code).toBe(0);
      expect(run.stdout.trim().split("\n").at(-1)).toBe(
        `database: PostgreSQL at ${url.host}${url.pathname}`,
      );
      expect(run.stdout).not.toContain(url.password);
    },
  );
});
