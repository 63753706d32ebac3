// Bundles src/ into dist/ (run by `npm install`): the CLI and the server then start without
// compiling TypeScript through tsx (seconds per command, and an esbuild child for the server's
// life). bin/workspace-gateway.js runs the sources through tsx when dist/ is missing or older.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build, stop } from "esbuild";

const root = fileURLToPath(new URL("../", import.meta.url));
const target = `${root}dist`;
// Built beside, then moved in (below).
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
// Chunks are named by their content, so they join dist/ beside the older ones, and cli.js is
// swapped in last: a process running an older build still finds every chunk it may import
// lazily (swapping the whole folder broke servers started just before sources were edited).
// Chunks no build has written for a day are pruned.
mkdirSync(target, { recursive: true });
for (const file of readdirSync(outdir)) {
  if (file === "cli.js") continue;
  if (existsSync(`${target}/${file}`)) utimesSync(`${target}/${file}`, started, started);
  else renameSync(`${outdir}/${file}`, `${target}/${file}`);
}
utimesSync(`${outdir}/cli.js`, started, started);
renameSync(`${outdir}/cli.js`, `${target}/cli.js`);
rmSync(outdir, { recursive: true, force: true });
const dayAgo = started.getTime() - 86_400_000;
for (const file of readdirSync(target)) {
  if (file !== "cli.js" && statSync(`${target}/${file}`).mtimeMs < dayAgo) {
    rmSync(`${target}/${file}`, { force: true });
  }
}
// Imported by bin/ before a server starts: esbuild's child process must not outlive the build.
await stop();
