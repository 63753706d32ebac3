/**
 * The documentation a clone has: README.md and docs/*.md. Every relative link leads to a file of
 * the repository, none leaves it (no `../`), an outside link goes only to a public
 * specification, and every setting in src/env.ts is documented in a settings table.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { SETTING_NAMES } from "../src/env.js";

const ROOT = resolve(import.meta.dirname, "..");
const DOCS = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];

/** Hosts of public specifications, and the reader's own gateway. */
const ALLOWED_HOSTS = [
  "www.rfc-editor.org",
  "datatracker.ietf.org",
  "spec.graphql.org",
  "graphql.org",
  "graphql.github.io",
  "relay.dev",
  "html.spec.whatwg.org",
  "localhost",
  "127.0.0.1",
];

/** Markdown links and images `[text](target)` and autolinks `<scheme://…>`, outside code. */
function links(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  const inline = [...prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map(
    (match) => match[1] ?? "",
  );
  const auto = [...prose.matchAll(/<([a-z][a-z0-9+.-]*:\/\/[^>\s]+)>/gi)].map(
    (match) => match[1] ?? "",
  );
  return [...inline, ...auto];
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target);

/** The anchors of a file's headings, as GitHub makes them ("Security and limits" → security-and-limits). */
function anchors(markdown: string): string[] {
  return [...markdown.replace(/```[\s\S]*?```/g, "").matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) =>
    (match[1] ?? "")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-"),
  );
}

describe("the documentation", () => {
  it("finds the README and the docs it links to", () => {
    expect(DOCS).toContain("README.md");
    expect(DOCS).toEqual(
      expect.arrayContaining(["docs/hardware.md", "docs/rest.md", "docs/graphql.md"]),
    );
  });

  it.each(DOCS)("%s: every relative link resolves to a file in the repository", (file) => {
    const found = links(readFileSync(join(ROOT, file), "utf8"))
      .filter((target) => !isExternal(target))
      .map((target) => (target.startsWith("#") ? `${file.split("/").at(-1)}${target}` : target));
    for (const target of found) {
      const [pathPart = "", anchor] = target.split("#");
      const path = resolve(ROOT, dirname(file), decodeURI(pathPart));
      expect(relative(ROOT, path), `${file} → ${target}`).not.toMatch(/^\.\./);
      expect(existsSync(path), `${file} → ${target}`).toBe(true);
      if (anchor && path.endsWith(".md")) {
        expect(anchors(readFileSync(path, "utf8")), `${file} → ${target}`).toContain(anchor);
      }
    }
  });

  it.each(DOCS)("%s: links outside the repository only to public specifications", (file) => {
    for (const target of links(readFileSync(join(ROOT, file), "utf8")).filter(isExternal)) {
      const url = new URL(target);
      expect(ALLOWED_HOSTS, `${file} → ${target}`).toContain(url.hostname);
    }
  });

  it("README names no file outside the repository", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme).not.toMatch(/\]\(\.\.\//);
    expect(readme).not.toMatch(/\.\.\/[\w-]+\//);
    expect(readme).not.toMatch(/CONTRACT\.md/);
  });

  it("documents every setting of src/env.ts in a settings table", () => {
    const tables = DOCS.flatMap((file) =>
      readFileSync(join(ROOT, file), "utf8")
        .split("\n")
        .filter((line) => line.startsWith("|")),
    );
    // The first cell names the setting: | `PORT` | 4000 | …
    const documented = new Set(
      tables.flatMap((row) =>
        [...(row.split("|")[1] ?? "").matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]),
      ),
    );
    expect(SETTING_NAMES.length).toBeGreaterThan(20);
    expect(SETTING_NAMES.filter((name) => !documented.has(name))).toEqual([]);
  });
});
