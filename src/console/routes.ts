import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build, stop } from "esbuild";
import type { FastifyPluginAsync } from "fastify";

/** The console's sources (console/ at the repository root), bundled in memory at start-up. */
const SOURCES = fileURLToPath(new URL("../../console", import.meta.url));

/** Same origin only: the page talks to this gateway's /graphql over HTTP and WebSocket. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

interface Asset {
  body: string;
  type: string;
  /** Long-lived: the page asks for it by content hash. */
  immutable: boolean;
}

/** Console builds in flight in this process (tests start several servers at once). */
let building = 0;

async function bundle(sources: string): Promise<Map<string, Asset>> {
  building++;
  // esbuild builds in a child process (31 MB) that would otherwise live as long as the server;
  // it ends after the last build in flight (a later build starts a new one).
  const result = await build({
    absWorkingDir: sources,
    entryPoints: { console: "src/main.ts", "console-style": "style.css" },
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    outdir: "out",
    write: false,
    logLevel: "silent",
  }).finally(async () => {
    if (--building === 0) await stop();
  });
  const assets = new Map<string, Asset>();
  let html = await readFile(`${sources}/index.html`, "utf8");
  for (const file of result.outputFiles) {
    const [name, type] = file.path.endsWith(".css")
      ? ["console.css", "text/css; charset=utf-8"]
      : ["console.js", "text/javascript; charset=utf-8"];
    const version = createHash("sha256").update(file.contents).digest("hex").slice(0, 12);
    assets.set(`/${name}`, { body: file.text, type, immutable: true });
    html = html.replace(`"${name}"`, `"${name}?v=${version}"`);
  }
  assets.set("/", { body: html, type: "text/html; charset=utf-8", immutable: false });
  return assets;
}

/** The workspace console at `/`: a static page over the same GraphQL API as any frontend. */
export const consoleRoutes: FastifyPluginAsync<{ sources?: string }> = async (
  http,
  { sources = SOURCES },
) => {
  const assets = await bundle(sources).catch((error: unknown) => {
    // The API still serves; only the console is missing.
    http.log.error({ err: error }, "the workspace console failed to build");
    return undefined;
  });
  for (const path of ["/", "/console.js", "/console.css"]) {
    http.get(path, async (_request, reply) => {
      const asset = assets?.get(path);
      if (!asset) {
        return reply
          .code(503)
          .type("text/plain; charset=utf-8")
          .header("cache-control", "no-store")
          .send(
            "The workspace console failed to build; see the server log. The API is unaffected.",
          );
      }
      return reply
        .type(asset.type)
        .header(
          "cache-control",
          asset.immutable ? "public, max-age=31536000, immutable" : "no-cache",
        )
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", CSP)
        .send(asset.body);
    });
  }
  // A file, not a build output: a browser asks for /favicon.ico on every page, built or not.
  const icon = await readFile(`${sources}/favicon.svg`).catch(() => undefined);
  for (const path of icon ? ["/favicon.svg", "/favicon.ico"] : []) {
    http.get(path, async (_request, reply) =>
      reply
        .type("image/svg+xml")
        .header("cache-control", "public, max-age=86400")
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", CSP)
        .send(icon),
    );
  }
};
