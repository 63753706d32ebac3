import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { isWellFormedToken } from "../src/services/token-format.js";
import { TEST_DATABASE_URL } from "./kit/database.js";

const BIN = new URL("../bin/workspace-gateway.js", import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: Record<string, string>): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout: string; stderr: string };
    return { code: failed.code ?? -1, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const dataDir = mkdtempSync(join(tmpdir(), "wsg-cli-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const targets: Array<{ name: string; env: Record<string, string>; skip: string | undefined }> = [
  { name: "embedded", env: { DATA_DIR: dataDir }, skip: undefined },
  {
    name: "postgres",
    env: { DATABASE_URL: TEST_DATABASE_URL ?? "" },
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
    });

    it.each([
      ["seed without --email", ["seed", "--json"], /--email/],
      ["an invalid email", ["user", "create", "--email", "not-an-email"], /email/],
      ["an unknown user", ["token", "create", "--user", "nobody@example.com"], /user not found/],
      ["an unknown token", ["token", "revoke", "wsg_nothing"], /token not found/],
      ["an unknown command", ["frobnicate"], /unknown command/],
    ])("fails with one line on stderr for %s", async (_name, args, message) => {
      const run = await cli(args, target.env);
      expect(run.code).not.toBe(0);
      expect(run.stdout).toBe("");
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stderr).toMatch(message);
    });
  });
}

describe("CLI configuration", () => {
  it.each([
    ["PORT", { PORT: "eighty" }],
    ["DATABASE_URL", { DATABASE_URL: "mysql://localhost/db" }],
    ["SIMULATED_PROVISION_DELAY_MS", { SIMULATED_PROVISION_DELAY_MS: "-5" }],
  ])("stops with one line naming %s when it is invalid", async (name, env) => {
    const run = await cli(["serve"], { DATA_DIR: dataDir, ...env });
    expect(run.code).not.toBe(0);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain(name);
  });
});
