import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

declare module "vitest" {
  export interface ProvidedContext {
    /** A migrated embedded database made once per run; suites copy it (preparedDataDir()). */
    preparedDataDir: string;
  }
}

/**
 * Once per run: says which suites are skipped and why, bundles the CLI (spawned servers and CLI
 * runs then start from the sources as they are now), and prepares an embedded database that
 * suites copy instead of initialising their own (seconds of CPU each).
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const needs = {
    TEST_DATABASE_URL: "PostgreSQL suites (the same tests on PostgreSQL, migrations, concurrency)",
    TEST_REDIS_URL: "Redis scale-out suites",
  };
  for (const [name, what] of Object.entries(needs)) {
    if (!process.env[name]) console.log(`skipping ${what}: ${name} is not set`);
  }
  const run = promisify(execFile);
  await run(process.execPath, [join(ROOT, "scripts/build-cli.mjs")], { cwd: ROOT });
  const dataDir = mkdtempSync(join(tmpdir(), "wsg-prepared-"));
  await run(process.execPath, [join(ROOT, "bin/workspace-gateway.js"), "migrate", "--json"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, DATA_DIR: dataDir },
    timeout: 180_000,
  });
  project.provide("preparedDataDir", dataDir);
  return () => rmSync(dataDir, { recursive: true, force: true });
}
