/**
 * Compares "the migrations, applied" with "schema.prisma" using Prisma's WebAssembly schema
 * engine, offline. For development and CI only: the server never loads the engine.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
// Only the glue: the package's entry imports its .wasm as an ES module, which Node 20 cannot.
import * as glue from "@prisma/schema-engine-wasm/schema_engine_bg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { migratePglite } from "../src/db/migrate.js";

const SCHEMA = new URL("../prisma/schema.prisma", import.meta.url);

// The lib here (ES2023, @types/node 20) does not declare the WebAssembly global; the part used:
const { WebAssembly } = globalThis as unknown as {
  WebAssembly: {
    instantiate(
      bytes: Uint8Array,
      imports: object,
    ): Promise<{ instance: { exports: Record<string, unknown> } }>;
  };
};

let engineModule: Promise<typeof glue> | undefined;

/**
 * Instantiates the engine that ships inside `prisma` (the one `prisma` 7.10.1 was built with)
 * with the pinned glue package, whose wasm-bindgen imports it matches. Once per process.
 */
function loadEngine(): Promise<typeof glue> {
  engineModule ??= (async () => {
    const prismaDir = dirname(createRequire(import.meta.url).resolve("prisma/package.json"));
    const bytes = await readFile(join(prismaDir, "build", "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": glue });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  return engineModule;
}

/**
 * The SQL that would bring the database, with every migration applied, to what schema.prisma
 * describes: the next migration, or `""` when the migrations are in sync with the schema.
 * @param db a database the migrations were already applied to (with `migratePglite`); by
 *   default a fresh in-memory PGlite, migrated and closed here. The engine describes it live.
 */
export async function schemaDrift(db?: PGlite): Promise<string> {
  const scratch = db ?? new PGlite();
  try {
    if (!db) await migratePglite(scratch);
    const schema = await readFile(SCHEMA, "utf8");
    const path = fileURLToPath(SCHEMA);
    const files = [{ path, content: schema }];
    const { SchemaEngine } = await loadEngine();
    const engine = await SchemaEngine.new(
      { datamodels: [[path, schema]] },
      () => {}, // the engine's log lines
      bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(scratch)),
    );
    try {
      const { exitCode, stdout } = await engine.diff({
        // "schemaDatasource" is the database the adapter connects to: the migrated one.
        from: { tag: "schemaDatasource", files, configDir: dirname(path) },
        to: { tag: "schemaDatamodel", files },
        script: true,
        exitCode: true, // 2 when there is a difference
        filters: { externalTables: [], externalEnums: [] },
      });
      return exitCode === 0 ? "" : (stdout ?? "");
    } finally {
      engine.free();
    }
  } finally {
    if (!db) await scratch.close();
  }
}
