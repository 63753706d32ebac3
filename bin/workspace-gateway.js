#!/usr/bin/env node
// Runs dist/cli.js, the sources bundled by `npm install` (scripts/build-cli.mjs), which starts
// in a fraction of the time TypeScript through tsx takes. When dist/ is missing, or a file in
// src/ is newer than it (sources edited since), it is bundled again first (about a second);
// where that fails (a read-only install), the sources run through tsx. Never stale code.
import { readdirSync, statSync } from "node:fs";
import { setFlagsFromString } from "node:v8";

// A one-shot command runs PGlite's and Prisma's WebAssembly for well under a second: V8's
// optimising compiler would spend more CPU compiling it (measured: 2.0 → 0.7 s of CPU for
// `user list`) than it saves. The server keeps it.
if (process.argv[2] !== "serve") setFlagsFromString("--liftoff-only");

const bundle = new URL("../dist/cli.js", import.meta.url);
const sources = new URL("../src/", import.meta.url);

function bundleIsFresh() {
  let built;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    return false;
  }
  // About 100 files: a few milliseconds.
  return readdirSync(sources, { recursive: true }).every(
    (file) => statSync(new URL(file, sources)).mtimeMs <= built,
  );
}

let fresh = bundleIsFresh();
if (!fresh) {
  try {
    await import("../scripts/build-cli.mjs");
    fresh = true;
  } catch {
    // tsx below
  }
}
if (fresh) {
  await import(bundle.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli.ts");
}
