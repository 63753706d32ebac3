// Bundles src/ into dist/ (run by `npm install`): the CLI and the server then start without
// compiling TypeScript through tsx (seconds per command, and an esbuild child for the server's
// life). bin/workspace-gateway.js runs the sources through tsx when dist/ is missing or older.
import { rmSync, utimesSync } from "node:fs";
import { readFile, rename } from "node:fs/promises";
import { dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build, stop } from "esbuild";

const root = fileURLToPath(new URL("../", import.meta.url));
const target = `${root}dist`;
// Built beside, then swapped in: a command started meanwhile sees the old bundle or none (tsx).
const outdir = `${target}.${process.pid}`;

/**
 * Sources find files beside them (package.json, prisma/migrations, console/) from
 * `import.meta.url`; in the bundle that URL is dist/'s, so each source gets its own back.
 */
const ownUrl = {
  name: "own-import-meta-url",
  setup(bundle) {
    bundle.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async ({ path }) => {
      const text = await readFile(path, "utf8");
      if (!text.includes("import.meta.url")) return undefined;
      const own = JSON.stringify(relative(outdir, path).split("\\").join("/"));
      return {
        contents: text.replaceAll("import.meta.url", `new URL(${own}, import.meta.url).href`),
        loader: "ts",
        resolveDir: dirname(path),
      };
    });
  },
};

// The bundle is as new as the sources it read: a file saved during the build is newer than it.
const started = new Date();
await build({
  absWorkingDir: root,
  entryPoints: { cli: "src/cli.ts" },
  bundle: true,
  // Lazy imports stay lazy: `--version` loads no database driver, a list no HTTP server.
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  outdir,
  // Silent when bin/ rebuilds before a command: its output is the command's alone.
  logLevel: process.argv[1] === fileURLToPath(import.meta.url) ? "warning" : "silent",
  plugins: [ownUrl],
});
utimesSync(`${outdir}/cli.js`, started, started);
rmSync(`${outdir}.old`, { recursive: true, force: true });
await rename(target, `${outdir}.old`).catch(() => undefined);
await rename(outdir, target).catch(() => {
  // Another build (a parallel test run) put its dist/ there first: built from the same sources.
  rmSync(outdir, { recursive: true, force: true });
});
rmSync(`${outdir}.old`, { recursive: true, force: true });
// Imported by bin/ before a server starts: esbuild's child process must not outlive the build.
await stop();
