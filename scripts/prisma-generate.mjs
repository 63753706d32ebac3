// `prisma generate` needs no schema engine, but the CLI looks for one and the install could
// not download it (no internet here). Any existing file satisfies that lookup.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url);
env.PRISMA_HIDE_UPDATE_MESSAGE = "1";
const prisma = fileURLToPath(new URL("../node_modules/prisma/build/index.js", import.meta.url));
const result = spawnSync(process.execPath, [prisma, "generate"], { stdio: "inherit", env });
process.exit(result.status ?? 1);
