/**
 * The workspace console at `/`, driven in headless Debian Chromium: the page talks to a real
 * server over the same GraphQL API (HTTP and one graphql-ws socket) as any frontend.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import Fastify from "fastify";
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Page,
  type WebSocketRoute,
} from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fieldKey } from "../console/src/field-key.js";
import { consoleRoutes } from "../src/console/routes.js";
import { type Database, wrapPglite } from "../src/db/client.js";
import { embeddedDatabase } from "./kit/database.js";
import { type SeededUser, seedUser } from "./kit/seed.js";
import { startServer, type TestServer } from "./kit/server.js";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = "test/artifacts";
/** Waits are for events (a badge, a message); this only bounds them. */
const WAIT_MS = 20_000;
/** A fresh embedded database and a browser start slowly on a busy machine. */
const START_MS = 180_000;

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let seeded: SeededUser;

beforeAll(async () => {
  // Never skipped: CI installs Debian's chromium (.ci/run); a missing browser fails here.
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (this suite never skips)`);
  }
  await mkdir(ARTIFACTS, { recursive: true });
  server = await startServer(await embeddedDatabase(), { SIMULATED_PROVISION_DELAY_MS: "150" });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
}, START_MS);

afterAll(async () => {
  await browser?.close();
  await server?.app.stop();
});

beforeEach(async () => {
  seeded = await seedUser(server.services, "console");
  context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.on("dialog", (dialog) => void dialog.accept());
});

afterEach(async ({ task }) => {
  const name = task.name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
  await page.screenshot({ path: `${ARTIFACTS}/console-${name}.png`, fullPage: true });
  await context.close();
});

/** Opens the console and pastes the token; with one project, its workspaces are listed. */
async function signIn(token: string, at: TestServer = server): Promise<void> {
  await page.goto(at.url);
  await page.getByRole("textbox", { name: "API token" }).fill(token);
  await page.getByRole("textbox", { name: "API token" }).press("Enter");
}

async function signInAndWaitLive(at: TestServer = server): Promise<void> {
  await signIn(seeded.token, at);
  await page.getByText(`Signed in as ${seeded.user.email}.`).waitFor();
  await page.getByRole("status").filter({ hasText: "Live:" }).waitFor();
  await page.getByText("No workspaces in this project yet.").waitFor();
}

/** Submits the form and returns the id of the row that appears. */
async function createWorkspace(): Promise<string> {
  const before = await page.locator("li.workspace").count();
  await page.getByRole("button", { name: "Create workspace" }).click();
  await page.locator("li.workspace").nth(before).waitFor();
  const id = await page.locator("li.workspace").first().getAttribute("data-workspace-id");
  if (!id) throw new Error("the new workspace row has no id");
  return id;
}

function badge(id: string) {
  return page.locator(`li[data-workspace-id="${id}"] .badge`);
}

async function badgeReaches(id: string, status: string): Promise<void> {
  await badge(id)
    .filter({ hasText: new RegExp(`^${status}$`) })
    .waitFor();
}

async function restWorkspace(id: string, at: TestServer = server): Promise<Response> {
  return fetch(`${at.url}/workspaces/${id}`, {
    headers: { authorization: `Bearer ${seeded.token}` },
  });
}

/** One GraphQL request over HTTP as the seeded user; errors fail the test with the body. */
async function graphql<Data>(
  at: TestServer,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Data> {
  const response = await fetch(`${at.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${seeded.token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Data; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(`${query} answered ${JSON.stringify(body)}`);
  return body.data;
}

interface HardwareOptions {
  cpuKinds: {
    kind: string;
    cpuCounts: { cpus: number; memoryMb: { min: number; max: number; step: number } }[];
  }[];
  volumeSizeGb: { min: number; max: number };
  gpuKinds: { kind: string; cpuKind: string }[];
}

async function hardwareOptions(at: TestServer): Promise<HardwareOptions> {
  const { hardwareOptions } = await graphql<{ hardwareOptions: HardwareOptions }>(
    at,
    `{ hardwareOptions {
        cpuKinds { kind cpuCounts { cpus memoryMb { min max step } } }
        volumeSizeGb { min max }
        gpuKinds { kind cpuKind }
      } }`,
  );
  return hardwareOptions;
}

/** The values of a select's options, in order. */
async function choices(label: string): Promise<string[]> {
  return page
    .getByLabel(label)
    .locator("option")
    .evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
}

/**
 * A GPU the page lists though the server no longer offers it, as in a tab opened before
 * GPU_KINDS changed: the only way left to send the server a GPU it refuses.
 */
async function chooseStaleGpu(kind: string): Promise<void> {
  await page.locator("#gpu-kind").evaluate((select, kind) => {
    select.append(new Option(kind, kind));
  }, kind);
  await page.getByLabel("GPU kind").selectOption(kind);
}

/** The `hardware` of every createWorkspace the page sends, as sent. */
function sentHardware(): Record<string, unknown>[] {
  const sent: Record<string, unknown>[] = [];
  page.on("request", (request) => {
    if (!request.url().endsWith("/graphql") || request.method() !== "POST") return;
    const body = request.postDataJSON() as {
      query: string;
      variables: { input?: { hardware?: Record<string, unknown> } };
    };
    if (body.query.includes("mutation ConsoleCreateWorkspace")) {
      sent.push(body.variables.input?.hardware ?? {});
    }
  });
  return sent;
}

describe("the workspace console", () => {
  it("serves the page, its script and its style with content types and caching headers", async () => {
    const html = await fetch(server.url);
    expect(html.status).toBe(200);
    expect(html.headers.get("content-type")).toMatch(/^text\/html/);
    expect(html.headers.get("cache-control")).toBe("no-cache");
    const body = await html.text();
    const script = /src="(console\.js\?v=[0-9a-f]+)"/.exec(body)?.[1];
    const style = /href="(console\.css\?v=[0-9a-f]+)"/.exec(body)?.[1];
    for (const [path, type] of [
      [script, /^text\/javascript/],
      [style, /^text\/css/],
    ] as const) {
      expect(path).toBeDefined();
      const asset = await fetch(`${server.url}/${path}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get("content-type")).toMatch(type);
      expect(asset.headers.get("cache-control")).toContain("immutable");
    }
  });

  it("answers 503 with a message when the console does not build, and the server still starts", async () => {
    const sources = await mkdtemp(join(tmpdir(), "console-broken-"));
    await mkdir(join(sources, "src"));
    await writeFile(join(sources, "src/main.ts"), "this is not TypeScript (");
    const http = Fastify();
    await http.register(consoleRoutes, { sources });
    const response = await http.inject("/");
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain("failed to build");
    await http.close();
    await rm(sources, { recursive: true });
  });

  it("creates a workspace and shows its badge reach RUNNING live, without a reload", async () => {
    await signInAndWaitLive();
    // Survives only if the page is never reloaded.
    await page.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    const id = await createWorkspace();
    await badgeReaches(id, "RUNNING");
    await page.getByText(`Workspace ${id.slice(0, 8)} is RUNNING.`).waitFor({ state: "attached" });

    await page.getByRole("button", { name: `Details of workspace ${id.slice(0, 8)}` }).click();
    const details = page.locator(`#details-${id}`);
    const stored = (await (await restWorkspace(id)).json()) as Record<string, string>;
    await details.getByText(stored.machine_id ?? "no machine id").waitFor();
    await details.getByText(stored.private_ip ?? "no private ip").waitFor();
    await details.getByText(stored.git_ref ?? "no git ref").waitFor();
    // Read from Workspace.history: each line says what happened, then who or why.
    await details.locator(".history li").nth(2).waitFor();
    const history = await details.locator(".history li").allTextContents();
    expect(history.map((entry) => entry.replace(/^\S+( [AP]M)? /, "").split(" · ")[0])).toEqual([
      "created",
      "CREATING → STARTING",
      "STARTING → RUNNING",
    ]);
    expect(await page.evaluate(() => "sameDocument" in window)).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/console.png`, fullPage: true });
  });

  it("words hardware problems for a person, one per line, under a capitalised summary", async () => {
    await signInAndWaitLive();
    // A volume size is typed, so it can be out of bounds (the server words the message).
    await page.getByLabel("Volume (GB)").fill("600");
    // No GPU kinds are on offer and the cpus are shared: two problems with the one GPU field.
    await chooseStaleGpu("a100");
    await page.getByRole("button", { name: "Create workspace" }).click();
    const volume = page.locator("#volume-size-gb-error li");
    await volume.first().waitFor();
    expect(await volume.allTextContents()).toEqual([
      "Volume size must be a whole number between 1 and 500 GB (got 600).",
    ]);
    expect(await page.getByLabel("Volume (GB)").getAttribute("aria-invalid")).toBe("true");

    const gpu = page.locator("#gpu-kind-error li");
    expect(await gpu.allTextContents()).toEqual([
      'GPU kind must be none: no GPU kinds are on offer (got "a100").',
      'GPU kind must be none unless CPU kind is performance (got "a100"; CPU kind is shared).',
    ]);
    // One message per line: the second starts below the first, as the reader sees it too.
    const [first, second] = await Promise.all([gpu.nth(0).boundingBox(), gpu.nth(1).boundingBox()]);
    expect(second?.y).toBeGreaterThanOrEqual((first?.y ?? 0) + (first?.height ?? 0));

    const summary = await page.locator("#workspace-message p").allTextContents();
    expect(summary).toEqual(["Invalid hardware configuration."]);
    // The person's words only: no API field names or enum values anywhere in the form.
    const form = await page.locator("#workspace-form").textContent();
    expect(form).not.toMatch(/memoryMb|cpuKind|gpuKind|SHARED|PERFORMANCE|\bnull\b/);
    expect(await page.locator("#cpus-error li").count()).toBe(0);
    expect(await page.locator("#memory-mb-error li").count()).toBe(0);
    expect(await page.locator("li.workspace").count()).toBe(0);
  });

  it("starts every project from the default hardware, without the last project's values or messages", async () => {
    await signInAndWaitLive();
    const memory = page.getByLabel("Memory (MB)");
    const volume = page.getByLabel("Volume (GB)");
    const invalid = async () => {
      await memory.selectOption("4096");
      await volume.fill("600");
      await chooseStaleGpu("a100");
      await page.getByLabel("Keep active (no idle auto-stop)").check();
      await page.getByRole("button", { name: "Create workspace" }).click();
      await page.locator("#volume-size-gb-error li").first().waitFor();
    };
    const isReset = async () => {
      await page.locator("#volume-size-gb-error li").waitFor({ state: "detached" });
      expect(await memory.inputValue()).toBe("2048");
      expect(await volume.inputValue()).toBe("10");
      expect(await page.getByLabel("GPU kind").inputValue()).toBe("");
      expect(await page.getByLabel("Keep active (no idle auto-stop)").isChecked()).toBe(false);
      expect(await volume.getAttribute("aria-invalid")).toBeNull();
      expect(await page.locator("#workspace-form .field-error li").count()).toBe(0);
      expect(await page.locator("#workspace-message").textContent()).toBe("");
    };

    await invalid();
    await page.getByRole("textbox", { name: "New project" }).fill("console other project");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.getByText("Project console other project created.").waitFor({ state: "attached" });
    await isReset();

    await invalid();
    await page.getByRole("combobox", { name: "Project" }).selectOption(seeded.project.id);
    await isReset();
  });

  it("matches hardware issues to inputs in REST and GraphQL field names", () => {
    for (const field of ["hardware.memory_mb", "hardware.memoryMb", "memoryMb"]) {
      expect(fieldKey(field)).toBe("memorymb");
    }
    expect(fieldKey("hardware.volume_size_gb")).toBe(fieldKey("volumeSizeGb"));
  });

  it("says when the socket is lost, reconnects by itself and catches up", async () => {
    // Each page WebSocket goes through the test, which can drop it as a network failure would.
    const sockets: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/graphql$/, (socket) => {
      socket.connectToServer();
      sockets.push(socket);
    });
    await signInAndWaitLive();
    const id = await createWorkspace();
    await badgeReaches(id, "RUNNING");
    expect(sockets.length).toBe(1); // one socket for the page, whatever it watches

    await sockets.at(-1)?.close({ code: 1001, reason: "test: connection dropped" });
    await page.getByRole("status").filter({ hasText: "Connection lost. Reconnecting" }).waitFor();
    const stopped = await fetch(`${server.url}/workspaces/${id}/stop`, {
      method: "POST",
      headers: { authorization: `Bearer ${seeded.token}` },
    });
    expect(stopped.status).toBe(200);
    await page.getByRole("status").filter({ hasText: "Live:" }).waitFor();
    await badgeReaches(id, "STOPPED");
    expect(sockets.length).toBe(2);
  });

  it("says clearly when the token is bad", async () => {
    await signIn("wsg_not_a_real_token");
    await page
      .getByRole("alert")
      .filter({ hasText: "This token was refused (UNAUTHENTICATED)" })
      .waitFor();
    expect(await page.locator("#project-section").isHidden()).toBe(true);
    expect(await page.getByRole("status").textContent()).toBe("Not connected.");
  });

  it("says so when the live connection refuses a token revoked meanwhile (close 4403)", async () => {
    const sockets: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/graphql$/, (socket) => {
      socket.connectToServer();
      sockets.push(socket);
    });
    await signInAndWaitLive();
    const revoked = await server.services.tokens.revoke(seeded.token);
    expect(revoked.ok).toBe(true);
    // The open socket was authorised at connection_init; the next one is refused.
    await sockets.at(-1)?.close({ code: 1001, reason: "test: connection dropped" });
    await page.getByRole("status").filter({ hasText: "refused this token (close 4403)" }).waitFor();
    await page.getByRole("alert").filter({ hasText: "refused this token" }).waitFor();
  });

  it("creates a project and switches to it", async () => {
    await signInAndWaitLive();
    await page.getByRole("textbox", { name: "New project" }).fill("console second project");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.getByText("Project console second project created.").waitFor({ state: "attached" });
    const chosen = await page.getByRole("combobox", { name: "Project" }).inputValue();
    expect(chosen).not.toBe(seeded.project.id);
    await page.getByText("No workspaces in this project yet.").waitFor();
    const id = await createWorkspace();
    const created = (await (await restWorkspace(id)).json()) as { project_id: string };
    expect(created.project_id).toBe(chosen);
  });

  it("stops, starts and deletes a workspace with its buttons", async () => {
    await signInAndWaitLive();
    const id = await createWorkspace();
    const name = id.slice(0, 8);
    await badgeReaches(id, "RUNNING");
    await page.getByRole("button", { name: `Stop workspace ${name}` }).click();
    await badgeReaches(id, "STOPPED");
    await page.getByRole("button", { name: `Start workspace ${name}` }).click();
    await badgeReaches(id, "RUNNING");
    await page.getByRole("button", { name: `Delete workspace ${name}` }).click();
    await page.locator(`li[data-workspace-id="${id}"]`).waitFor({ state: "detached" });
    expect((await restWorkspace(id)).status).toBe(404);
  });

  it("removes a workspace deleted elsewhere when its stream says so", async () => {
    await signInAndWaitLive();
    const id = await createWorkspace();
    await badgeReaches(id, "RUNNING");
    const deleted = await fetch(`${server.url}/workspaces/${id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${seeded.token}` },
    });
    expect(deleted.status).toBe(204);
    await page.locator(`li[data-workspace-id="${id}"]`).waitFor({ state: "detached" });
    await page.getByText(`Workspace ${id.slice(0, 8)} was deleted.`).waitFor({ state: "attached" });
  });

  it("serves a favicon, and loading the page asks for nothing that is missing", async () => {
    const failed: string[] = [];
    page.on("response", (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    await signInAndWaitLive();
    const href = await page.locator('link[rel="icon"]').getAttribute("href");
    expect(href).toBe("favicon.svg");
    for (const path of [`/${href}`, "/favicon.ico"]) {
      const icon = await fetch(`${server.url}${path}`);
      expect(icon.status).toBe(200);
      expect(icon.headers.get("content-type")).toBe("image/svg+xml");
      expect(await icon.text()).toMatch(/^<svg /);
    }
    expect(failed).toEqual([]);
  });

  for (const [width, height] of [
    [390, 844],
    [1280, 900],
  ] as const) {
    it(`fits a ${width} px wide screen with no sideways scroll, errors and details shown`, async () => {
      await page.setViewportSize({ width, height });
      await signInAndWaitLive();
      const id = await createWorkspace();
      await badgeReaches(id, "RUNNING");
      await page.getByRole("button", { name: `Details of workspace ${id.slice(0, 8)}` }).click();
      await page.locator(`#details-${id} .history li`).nth(2).waitFor();
      // The longest messages the form can show, on the widest fields.
      await page.getByLabel("Volume (GB)").fill("600");
      await chooseStaleGpu("a100");
      await page.getByRole("button", { name: "Create workspace" }).click();
      await page.locator("#gpu-kind-error li").nth(1).waitFor();

      const widths = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        body: document.body.scrollWidth,
        widest: Math.max(
          ...[...document.querySelectorAll("main *")].map(
            (element) => element.getBoundingClientRect().right,
          ),
        ),
      }));
      expect(widths.page).toBeLessThanOrEqual(width);
      expect(widths.body).toBeLessThanOrEqual(width);
      expect(widths.widest).toBeLessThanOrEqual(width);
      await page.screenshot({ path: `${ARTIFACTS}/console-${width}.png`, fullPage: true });
    });
  }
});

describe("the console's hardware choices, built from hardwareOptions", () => {
  /** A second server on the same database, offering two GPU kinds. */
  let gpuServer: TestServer;

  beforeAll(async () => {
    gpuServer = await startServer(await embeddedDatabase(), {
      SIMULATED_PROVISION_DELAY_MS: "150",
      GPU_KINDS: "a10,l40s",
    });
  }, START_MS);

  afterAll(async () => {
    await gpuServer?.app.stop();
  });

  it("lists exactly the GPU kinds on offer (GPU_KINDS) plus None, as a select", async () => {
    seeded = await seedUser(gpuServer.services, "console-gpu");
    await signInAndWaitLive(gpuServer);
    const offered = await hardwareOptions(gpuServer);
    expect(offered.gpuKinds.map((gpu) => gpu.kind)).toEqual(["a10", "l40s"]);
    expect(await page.getByLabel("GPU kind").evaluate((element) => element.tagName)).toBe("SELECT");
    expect(await choices("GPU kind")).toEqual(["", "a10", "l40s"]);
    expect(await page.getByLabel("GPU kind").locator("option").allTextContents()).toEqual([
      "None",
      "a10",
      "l40s",
    ]);
    expect(await page.getByLabel("GPU kind").inputValue()).toBe("");
    expect(await page.locator("#gpu-kind-help").textContent()).toBe(
      "A GPU needs performance CPUs.",
    );
  });

  it("lists only None when no GPU kinds are on offer (GPU_KINDS empty)", async () => {
    await signInAndWaitLive();
    expect((await hardwareOptions(server)).gpuKinds).toEqual([]);
    expect(await choices("GPU kind")).toEqual([""]);
    expect(await page.getByLabel("GPU kind").locator("option").allTextContents()).toEqual(["None"]);
    expect(await page.locator("#gpu-kind-help").textContent()).toBe("No GPUs are on offer.");
  });

  it("offers the CPU kinds, counts and memory of hardwareOptions: 512 to 4096 MB in 256s for 2 shared CPUs", async () => {
    await signInAndWaitLive();
    const offered = await hardwareOptions(server);
    const memoryOf = (kind: string, cpus: number) => {
      const range = offered.cpuKinds
        .find((option) => option.kind === kind)
        ?.cpuCounts.find((count) => count.cpus === cpus)?.memoryMb;
      if (!range) throw new Error(`hardwareOptions has no ${kind}×${cpus}`);
      const values: string[] = [];
      for (let mb = range.min; mb <= range.max; mb += range.step) values.push(String(mb));
      return values;
    };
    expect(await choices("CPU kind")).toEqual(offered.cpuKinds.map((option) => option.kind));
    expect(await page.getByLabel("CPU kind").inputValue()).toBe("SHARED");
    expect(await page.getByLabel("CPUs").inputValue()).toBe("2");
    const shared2 = await choices("Memory (MB)");
    expect(shared2).toEqual(memoryOf("SHARED", 2));
    // The rule itself, so that a wrong offer cannot pass by agreeing with the page.
    expect(shared2).toEqual(Array.from({ length: 15 }, (_, i) => String(512 + 256 * i)));

    // Every kind and count: the counts and the memory follow the choice.
    for (const kind of offered.cpuKinds) {
      await page.getByLabel("CPU kind").selectOption(kind.kind);
      expect(await choices("CPUs")).toEqual(kind.cpuCounts.map((count) => String(count.cpus)));
      for (const { cpus } of kind.cpuCounts) {
        await page.getByLabel("CPUs").selectOption(String(cpus));
        expect(await choices("Memory (MB)")).toEqual(memoryOf(kind.kind, cpus));
      }
    }
    const volume = page.getByLabel("Volume (GB)");
    expect(await volume.getAttribute("min")).toBe(String(offered.volumeSizeGb.min));
    expect(await volume.getAttribute("max")).toBe(String(offered.volumeSizeGb.max));
  });

  it("keeps the memory chosen when it is allowed with the new count, else the nearest allowed", async () => {
    await signInAndWaitLive();
    await page.getByLabel("Memory (MB)").selectOption("1024");
    await page.getByLabel("CPUs").selectOption("4");
    // 4 shared CPUs: 1024 to 8192 MB, so 1024 stays.
    expect(await page.getByLabel("Memory (MB)").inputValue()).toBe("1024");
    await page.getByLabel("CPUs").selectOption("8");
    // 8 shared CPUs: 2048 MB at least.
    expect(await page.getByLabel("Memory (MB)").inputValue()).toBe("2048");
  });

  it("choosing a GPU sets the CPU kind it needs, and the workspace gets both", async () => {
    seeded = await seedUser(gpuServer.services, "console-gpu");
    await signInAndWaitLive(gpuServer);
    const sent = sentHardware();
    await page.getByLabel("GPU kind").selectOption("l40s");
    expect(await page.getByLabel("CPU kind").inputValue()).toBe("PERFORMANCE");
    await page.getByText("CPU kind set to performance: a l40s GPU needs it.").waitFor({
      state: "attached",
    });
    const id = await createWorkspace();
    expect(sent).toEqual([
      { cpuKind: "PERFORMANCE", cpus: 2, memoryMb: 4096, volumeSizeGb: 10, gpuKind: "l40s" },
    ]);
    const created = (await (await restWorkspace(id, gpuServer)).json()) as {
      hardware: Record<string, unknown>;
    };
    expect(created.hardware).toMatchObject({ cpu_kind: "performance", gpu_kind: "l40s" });

    // Back to shared CPUs: the GPU cannot stay.
    await page.getByLabel("CPU kind").selectOption("SHARED");
    expect(await page.getByLabel("GPU kind").inputValue()).toBe("");
  });

  it('picking None sends gpuKind "" so a default GPU does not stick', async () => {
    seeded = await seedUser(gpuServer.services, "console-gpu");
    const { updateDefaultHardware } = await graphql<{
      updateDefaultHardware: { __typename: string };
    }>(
      gpuServer,
      `mutation { updateDefaultHardware(input: {
        cpuKind: PERFORMANCE, cpus: 2, memoryMb: 4096, gpuKind: "a10"
      }) { __typename } }`,
    );
    expect(updateDefaultHardware.__typename).toBe("UpdateDefaultHardwareSuccess");
    await signInAndWaitLive(gpuServer);
    // The form starts from the defaults, GPU included.
    expect(await page.getByLabel("GPU kind").inputValue()).toBe("a10");

    const sent = sentHardware();
    await page.getByLabel("GPU kind").selectOption({ label: "None" });
    const id = await createWorkspace();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toHaveProperty("gpuKind", "");
    const created = (await (await restWorkspace(id, gpuServer)).json()) as {
      hardware: Record<string, unknown>;
    };
    expect(created.hardware).toMatchObject({ cpu_kind: "performance", gpu_kind: null });
  });
});

/** REST as the seeded user on `at`: the independent view of what the page did. */
async function rest(
  at: TestServer,
  method: string,
  path: string,
  json?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: each route answers its own documented shape
): Promise<{ status: number; json: any }> {
  const response = await fetch(`${at.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${seeded.token}`,
      ...(json === undefined ? {} : { "content-type": "application/json" }),
    },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

/** Creates a workspace over REST in the seeded project and answers its id. */
async function restCreate(at: TestServer, body: Record<string, unknown>): Promise<string> {
  const created = await rest(at, "POST", `/projects/${seeded.project.id}/workspaces`, body);
  if (created.status !== 201) throw new Error(`create answered ${JSON.stringify(created)}`);
  return created.json.id as string;
}

/** Polls REST until the workspace is in `status`; answers it as REST shows it. */
// biome-ignore lint/suspicious/noExplicitAny: the documented workspace object
async function restReaches(at: TestServer, id: string, status: string): Promise<any> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const { json } = await rest(at, "GET", `/workspaces/${id}`);
    if (json?.status === status) return json;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`workspace ${id} never reached ${status}`);
}

/** Signs in as the seeded user and waits for `count` rows of the project. */
async function signInWithRows(count: number, at: TestServer = server): Promise<void> {
  await signIn(seeded.token, at);
  await page.getByRole("status").filter({ hasText: "Live:" }).waitFor();
  await page
    .locator("li.workspace")
    .nth(count - 1)
    .waitFor();
  expect(await page.locator("li.workspace").count()).toBe(count);
}

function row(id: string) {
  return page.locator(`li[data-workspace-id="${id}"]`);
}

describe("the console's policies and labels (issue 17)", () => {
  it("shows the labels set over REST as chips, and the label filter narrows the list", async () => {
    const ml = await restCreate(server, { labels: { team: "ml", env: "prod" } });
    const web = await restCreate(server, { labels: { team: "web" } });
    const bare = await restCreate(server, {});
    await signInWithRows(3);
    const chips = (id: string) => row(id).locator(".labels .chip").allTextContents();
    expect(await chips(ml)).toEqual(["env=prod", "team=ml"]);
    expect(await chips(web)).toEqual(["team=web"]);
    expect(await chips(bare)).toEqual([]);

    const filter = async (text: string) => {
      await page.getByRole("textbox", { name: "Filter by label" }).fill(text);
      await page.getByRole("button", { name: "Filter", exact: true }).click();
    };
    const shown = () =>
      page
        .locator("li.workspace:visible")
        .evaluateAll((rows) => rows.map((element) => element.getAttribute("data-workspace-id")));
    await filter("team=ml");
    expect(await shown()).toEqual([ml]);
    await page.getByText("1 workspace has these labels.").waitFor();
    await filter("team=web");
    expect(await shown()).toEqual([web]);
    await filter("team=ml env=dev");
    expect(await shown()).toEqual([]);
    await page.getByText("No workspace has every label of the filter.").waitFor();
    // Malformed: said, and the list stays as it was.
    await filter("team");
    await page.getByRole("alert").filter({ hasText: '"team" is not key=value.' }).waitFor();
    expect(await shown()).toEqual([]);
    await page.getByRole("button", { name: "Show all" }).click();
    expect((await shown()).sort()).toEqual([ml, web, bare].sort());
  });

  it("counts down to the idle stop, and Keep alive moves autoStopAt later", async () => {
    const id = await restCreate(server, { auto_stop_minutes: 10 });
    await signInWithRows(1);
    await badgeReaches(id, "RUNNING");
    const schedule = row(id).locator(".schedule");
    await schedule.filter({ hasText: /^stops in (9|10) min \(idle\)$/ }).waitFor();
    const before = (await restReaches(server, id, "running")).auto_stop_at as string;
    const shownBefore = await schedule.getAttribute("data-due");

    await page.getByRole("button", { name: `Keep alive workspace ${id.slice(0, 8)}` }).click();
    await schedule.filter({ hasText: /^stops in 10 min \(idle\)$/ }).waitFor();
    await page.waitForFunction(
      ([selector, old]) => document.querySelector(selector)?.getAttribute("data-due") !== old,
      [`li[data-workspace-id="${id}"] .schedule`, shownBefore] as const,
    );
    const after = (await rest(server, "GET", `/workspaces/${id}`)).json.auto_stop_at as string;
    expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
    const shownAfter = await schedule.getAttribute("data-due");
    // The page shows what the keep-alive answered: at or before the REST read's (a read may count).
    expect(Date.parse(shownAfter ?? "")).toBeGreaterThan(Date.parse(before));
    expect(Date.parse(shownAfter ?? "")).toBeLessThanOrEqual(Date.parse(after));
  });

  it("names the max run time when it comes first", async () => {
    const id = await restCreate(server, { auto_stop_minutes: 0, max_run_minutes: 5 });
    await signInWithRows(1);
    await badgeReaches(id, "RUNNING");
    await row(id)
      .locator(".schedule")
      .filter({ hasText: /^stops in (4|5) min \(max run time\)$/ })
      .waitFor();
  });

  it("says a workspace stopped by a user was stopped by a user, and offers no keep-alive then", async () => {
    const id = await restCreate(server, {});
    await signInWithRows(1);
    await badgeReaches(id, "RUNNING");
    expect((await rest(server, "POST", `/workspaces/${id}/stop`)).status).toBe(200);
    await badgeReaches(id, "STOPPED");
    expect((await restReaches(server, id, "stopped")).stop_reason).toBe("user");
    await row(id)
      .locator(".schedule")
      .filter({ hasText: /^stopped: by a user$/ })
      .waitFor();
    expect(
      await row(id)
        .getByRole("button", { name: /^Keep alive/ })
        .isHidden(),
    ).toBe(true);
  });

  it("resizes a stopped workspace: a shrinking volume is refused beside its field, a valid size is applied", async () => {
    const id = await restCreate(server, { hardware: { volume_size_gb: 20 } });
    await signInWithRows(1);
    await badgeReaches(id, "RUNNING");
    const name = id.slice(0, 8);
    expect(await page.getByRole("button", { name: `Resize workspace ${name}` }).isHidden()).toBe(
      true,
    );
    await page.getByRole("button", { name: `Stop workspace ${name}` }).click();
    await badgeReaches(id, "STOPPED");
    await page.getByRole("button", { name: `Resize workspace ${name}` }).click();
    const form = page.getByRole("form", { name: `Resize workspace ${name}` });
    // The form starts from the workspace's hardware.
    expect(await form.getByLabel("Volume (GB)").inputValue()).toBe("20");

    await form.getByLabel("Volume (GB)").fill("15");
    await form.getByRole("button", { name: "Resize" }).click();
    const volumeError = form.locator(`[id="resize-${id}-volume-size-gb-error"] li`);
    await volumeError.first().waitFor();
    expect(await volumeError.first().textContent()).toMatch(/volume/i);
    expect(await form.getByLabel("Volume (GB)").getAttribute("aria-invalid")).toBe("true");
    expect((await rest(server, "GET", `/workspaces/${id}`)).json.hardware).toMatchObject({
      volume_size_gb: 20,
      memory_mb: 2048,
    });

    await form.getByLabel("Volume (GB)").fill("30");
    await form.getByLabel("Memory (MB)").selectOption("4096");
    await form.getByRole("button", { name: "Resize" }).click();
    await page.getByText(`Workspace ${name} resized: applied at the next start.`).waitFor({
      state: "attached",
    });
    expect(await form.isHidden()).toBe(true);
    expect((await rest(server, "GET", `/workspaces/${id}`)).json.hardware).toMatchObject({
      volume_size_gb: 30,
      memory_mb: 4096,
    });
    await row(id).locator(".hardware").filter({ hasText: "4096 MB · 30 GB" }).waitFor();
  });

  for (const [width, height] of [
    [390, 844],
    [1280, 900],
  ] as const) {
    it(`fits labels, countdowns and an open resize form with its errors on a ${width} px screen`, async () => {
      await page.setViewportSize({ width, height });
      const long = `${"a".repeat(40)}.example.com/${"b".repeat(63)}`;
      const running = await restCreate(server, { labels: { [long]: "c".repeat(63), team: "ml" } });
      const stopped = await restCreate(server, { labels: { team: "web" } });
      await restReaches(server, stopped, "running");
      expect((await rest(server, "POST", `/workspaces/${stopped}/stop`)).status).toBe(200);
      await signInWithRows(2);
      await badgeReaches(running, "RUNNING");
      await badgeReaches(stopped, "STOPPED");
      await page.getByRole("button", { name: `Resize workspace ${stopped.slice(0, 8)}` }).click();
      const form = page.getByRole("form", { name: `Resize workspace ${stopped.slice(0, 8)}` });
      await form.getByLabel("Volume (GB)").fill("600");
      await form.getByRole("button", { name: "Resize" }).click();
      await form.locator(".field-error li").first().waitFor();
      await page
        .getByRole("button", { name: `Details of workspace ${running.slice(0, 8)}` })
        .click();
      await row(running).locator(".history li").nth(2).waitFor();

      const widths = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        widest: Math.max(
          ...[...document.querySelectorAll("main *")].map(
            (element) => element.getBoundingClientRect().right,
          ),
        ),
      }));
      expect(widths.page).toBeLessThanOrEqual(width);
      expect(widths.widest).toBeLessThanOrEqual(width);
      await page.screenshot({ path: `${ARTIFACTS}/console-policies-${width}.png`, fullPage: true });
      if (width === 1280) {
        // What docs/console.png shows: the workspaces part of the page.
        const top = await page
          .locator("#workspace-section")
          .evaluate((element) => element.getBoundingClientRect().top + window.scrollY);
        await page.screenshot({
          path: `${ARTIFACTS}/console-docs.png`,
          fullPage: true,
          clip: { x: 0, y: top, width, height: 1280 },
        });
      }
    });
  }
});

describe("the console's history and roles (issues 18 and 19)", () => {
  /** A policy minute of 1 s and a quick sweep: an idle stop happens before the page opens. */
  let policyServer: TestServer;
  /**
   * Its own database: on the worker's shared one, another server's engine (a 60 s minute) could
   * carry the start and write an auto_stop_at a minute away.
   */
  let policyDatabase: Database;

  beforeAll(async () => {
    policyDatabase = await wrapPglite(await PGlite.create(), { migrate: true });
    policyServer = await startServer(policyDatabase, {
      SIMULATED_PROVISION_DELAY_MS: "150",
      POLICY_MINUTE_MS: "1000",
      AUTO_STOP_SWEEP_INTERVAL_S: "0.5",
    });
  }, START_MS);

  afterAll(async () => {
    await policyServer?.app.stop();
    await policyDatabase?.close();
  });

  it("shows the history from before the page opened with each reason, then continues live", async () => {
    seeded = await seedUser(policyServer.services, "console-history");
    const id = await restCreate(policyServer, { auto_stop_minutes: 1 });
    const idle = await restReaches(policyServer, id, "stopped");
    expect(idle.stop_reason).toBe("idle");

    await signInWithRows(1, policyServer);
    await row(id)
      .locator(".schedule")
      .filter({ hasText: /^stopped: idle$/ })
      .waitFor();
    await page.getByRole("button", { name: `Details of workspace ${id.slice(0, 8)}` }).click();
    const lines = row(id).locator(".history li");
    await lines.filter({ hasText: "STOPPING → STOPPED" }).waitFor();
    const texts = (await lines.allTextContents()).map((line) => line.replace(/^\S+( [AP]M)? /, ""));
    expect(texts).toEqual([
      "created · by you",
      "CREATING → STARTING · lifecycle engine",
      "STARTING → RUNNING · lifecycle engine",
      "RUNNING → STOPPING · idle",
      // The engine finishes the stop the idle policy asked for.
      "STOPPING → STOPPED · lifecycle engine",
    ]);

    // Live from here: a start made elsewhere adds its lines after the ones read.
    expect((await rest(policyServer, "POST", `/workspaces/${id}/start`)).status).toBe(200);
    await lines.filter({ hasText: "STOPPED → STARTING" }).waitFor();
    expect((await lines.allTextContents()).length).toBeGreaterThan(texts.length);
    expect(await lines.nth(texts.length).textContent()).toMatch(/STOPPED → STARTING$/);
  });

  it("offers a viewer no workspace actions and no create form, but live badges and the members", async () => {
    const admin = await seedUser(server.services, "console-admin");
    const viewer = await seedUser(server.services, "console-viewer");
    seeded = admin;
    const id = await restCreate(server, {});
    const added = await rest(server, "POST", `/projects/${admin.project.id}/members`, {
      email: viewer.user.email,
      role: "viewer",
    });
    expect(added.status, JSON.stringify(added.json)).toBeLessThan(300);

    seeded = viewer;
    await signIn(viewer.token);
    await page.getByRole("status").filter({ hasText: "Live:" }).waitFor();
    await page.getByRole("combobox", { name: "Project" }).selectOption(admin.project.id);
    await page.getByText("Your role: viewer.").waitFor();
    await badgeReaches(id, "RUNNING");
    expect(await page.getByRole("button", { name: "Create workspace" }).isHidden()).toBe(true);
    for (const action of ["Stop", "Start", "Delete", "Keep alive", "Resize"]) {
      expect(
        await page.getByRole("button", { name: `${action} workspace ${id.slice(0, 8)}` }).count(),
      ).toBe(0);
    }
    await page.getByText("Members").click();
    expect(await page.locator("#members li").allTextContents()).toEqual([
      `${admin.user.email} · admin`,
      `${viewer.user.email} · viewer (you)`,
    ]);

    // Their own project: a developer's buttons are back.
    await page.getByRole("combobox", { name: "Project" }).selectOption(viewer.project.id);
    await page.getByText("Your role: admin.").waitFor();
    expect(await page.getByRole("button", { name: "Create workspace" }).isVisible()).toBe(true);
  });
});

describe("the console's members and tokens panels (issue 19)", () => {
  /** REST with any token: the independent view of what the page did. */
  async function restAs(
    token: string,
    method: string,
    path: string,
    json?: unknown,
    // biome-ignore lint/suspicious/noExplicitAny: each route answers its own documented shape
  ): Promise<{ status: number; json: any }> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(json === undefined ? {} : { "content-type": "application/json" }),
      },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  }

  async function membersOf(admin: SeededUser): Promise<{ email: string; role: string }[]> {
    const listed = await restAs(admin.token, "GET", `/projects/${admin.project.id}/members`);
    expect(listed.status).toBe(200);
    return listed.json.members;
  }

  /** Nothing wider than the viewport: no sideways scrolling on a phone. */
  async function expectNoSidewaysScroll(width: number): Promise<void> {
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      widest: Math.max(
        ...[...document.querySelectorAll("main *")].map(
          (element) => element.getBoundingClientRect().right,
        ),
      ),
    }));
    expect(widths.page).toBeLessThanOrEqual(width);
    expect(widths.widest).toBeLessThanOrEqual(width);
  }

  function memberRow(email: string) {
    return page.locator("#members li").filter({ hasText: email });
  }

  for (const [width, height] of [
    [1280, 900],
    [390, 844],
  ] as const) {
    it(`an admin adds members by email, changes a role and removes one; demoting the last admin is refused in words (${width} px)`, async () => {
      await page.setViewportSize({ width, height });
      const admin = await seedUser(server.services, "console-team-admin");
      const mate = await seedUser(server.services, "console-team-mate");
      const pending = `console-pending-${Date.now()}-${width}@example.com`;
      seeded = admin;
      await signIn(admin.token);
      await page.getByText("Your role: admin.").waitFor();
      await page.locator("#members-panel summary").click();
      const form = page.getByRole("form", { name: "Add a member" });

      await form.getByLabel("Email").fill(mate.user.email);
      await form.getByLabel("Role").selectOption("DEVELOPER");
      await form.getByRole("button", { name: "Add member" }).click();
      await memberRow(mate.user.email).filter({ hasText: "· developer" }).waitFor();
      expect(await membersOf(admin)).toContainEqual(
        expect.objectContaining({ user_id: mate.user.id, role: "developer" }),
      );

      // No account yet: kept pending, said so, and the answer did not tell the difference.
      await form.getByLabel("Email").fill(pending);
      await form.getByLabel("Role").selectOption("VIEWER");
      await form.getByRole("button", { name: "Add member" }).click();
      await memberRow(pending).filter({ hasText: "· viewer (pending)" }).waitFor();
      expect(await membersOf(admin)).toContainEqual(
        expect.objectContaining({ user_id: null, email: pending, role: "viewer" }),
      );

      await page.getByLabel(`Role of ${mate.user.email}`, { exact: true }).selectOption("VIEWER");
      await page.getByRole("button", { name: `Change role of ${mate.user.email}` }).click();
      await memberRow(mate.user.email).filter({ hasText: "· viewer" }).waitFor();
      expect(await membersOf(admin)).toContainEqual(
        expect.objectContaining({ user_id: mate.user.id, role: "viewer" }),
      );

      // The only admin demoting themself: LastAdminError in words, and nothing changed.
      await page
        .getByLabel(`Role of ${admin.user.email}`, { exact: true })
        .selectOption("DEVELOPER");
      await page.getByRole("button", { name: `Change role of ${admin.user.email}` }).click();
      await page
        .locator("#members-message")
        .filter({ hasText: "A project keeps at least one admin: make another member admin first." })
        .waitFor();
      expect(await membersOf(admin)).toContainEqual(
        expect.objectContaining({ user_id: admin.user.id, role: "admin" }),
      );
      expect(await page.getByText("Your role: admin.").isVisible()).toBe(true);

      await page.getByRole("button", { name: `Remove ${mate.user.email}` }).click();
      await memberRow(mate.user.email).waitFor({ state: "detached" });
      expect((await membersOf(admin)).map((member) => member.email).sort()).toEqual(
        [admin.user.email, pending].sort(),
      );
      await expectNoSidewaysScroll(width);
      await page.screenshot({ path: `${ARTIFACTS}/console-members-${width}.png`, fullPage: true });
    });

    it(`a developer sees no admin controls and leaves the project (${width} px)`, async () => {
      await page.setViewportSize({ width, height });
      const admin = await seedUser(server.services, "console-leave-admin");
      const member = await seedUser(server.services, "console-leave-member");
      const added = await restAs(admin.token, "POST", `/projects/${admin.project.id}/members`, {
        email: member.user.email,
        role: "developer",
      });
      expect(added.status, JSON.stringify(added.json)).toBeLessThan(300);

      seeded = member;
      await signIn(member.token);
      await page.getByText(`Signed in as ${member.user.email}.`).waitFor();
      await page.getByRole("combobox", { name: "Project" }).selectOption(admin.project.id);
      await page.getByText("Your role: developer.").waitFor();
      await page.locator("#members-panel summary").click();
      await memberRow(member.user.email).filter({ hasText: "(you)" }).waitFor();
      expect(await page.getByRole("form", { name: "Add a member" }).isHidden()).toBe(true);
      expect(await page.locator("#members select").count()).toBe(0);
      expect(await page.locator("#members button").count()).toBe(0);
      // A developer creates workspaces here.
      expect(await page.getByRole("button", { name: "Create workspace" }).isVisible()).toBe(true);
      await expectNoSidewaysScroll(width);

      await page.getByRole("button", { name: "Leave this project" }).click();
      await page
        .locator(`#project option[value="${admin.project.id}"]`)
        .waitFor({ state: "detached" });
      expect((await membersOf(admin)).map((each) => each.email)).toEqual([admin.user.email]);
      // Gone: the project now answers the member as a missing one.
      expect((await restAs(member.token, "GET", `/projects/${admin.project.id}`)).status).toBe(404);
      expect(await page.locator("#workspace-section").isHidden()).toBe(true);
    });

    it(`creates a token limited to a project, a role and 30 days, shows it once, and revokes it (${width} px)`, async () => {
      await page.setViewportSize({ width, height });
      await signIn(seeded.token);
      await page.getByText("Your role: admin.").waitFor();
      await page.getByText("Your API tokens").click();
      const form = page.getByRole("form", { name: "Create an API token" });
      const name = `ci-${width}`;
      await form.getByLabel("Name").fill(name);
      await form.getByLabel("Project").selectOption(seeded.project.id);
      await form.getByLabel("Role").selectOption("VIEWER");

      // 366 days is one too many: refused in words, nothing created; 365 would pass (below: 30).
      await form.getByLabel("Expires in days").fill("366");
      await form.getByRole("button", { name: "Create token" }).click();
      await form.locator(".message").filter({ hasText: "1 to 365" }).first().waitFor();
      expect((await rest(server, "GET", "/user/tokens")).json.tokens).toHaveLength(1);

      await form.getByLabel("Expires in days").fill("30");
      await form.getByRole("button", { name: "Create token" }).click();
      const secret = page.getByLabel("Your new token (shown once)");
      await secret.waitFor();
      const value = await secret.inputValue();
      expect(value).toMatch(/^wsg_/);
      expect(await page.locator("#api-token-hint").textContent()).toContain("shown this once");

      const listed = await rest(server, "GET", "/user/tokens");
      expect(JSON.stringify(listed.json)).not.toContain(value);
      const made = listed.json.tokens.find((token: { name: string }) => token.name === name);
      expect(made).toMatchObject({
        project_id: seeded.project.id,
        role: "viewer",
        revoked_at: null,
      });
      const days = (Date.parse(made.expires_at) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(29.9);
      expect(days).toBeLessThanOrEqual(30);
      // The new token reads its project and may not change it.
      expect((await restAs(value, "GET", `/projects/${seeded.project.id}/members`)).status).toBe(
        200,
      );
      const refused = await restAs(value, "POST", `/projects/${seeded.project.id}/workspaces`, {});
      expect(refused.status).toBe(403);

      const row = page.locator(`li.api-token[data-token-id="${made.id}"]`);
      expect(await row.locator(".token-facts").textContent()).toMatch(
        /project console project · at most viewer · expires \d{4}-\d\d-\d\d \d\d:\d\d UTC · never used/,
      );
      await expectNoSidewaysScroll(width);
      await page.screenshot({ path: `${ARTIFACTS}/console-tokens-${width}.png`, fullPage: true });

      // Shown once: after Done the secret is nowhere on the page.
      await page.getByRole("button", { name: "Done" }).click();
      expect(await page.content()).not.toContain(value);

      await page.getByRole("button", { name: `Revoke token ${name}` }).click();
      await row.filter({ hasText: "revoked" }).waitFor();
      expect(await page.getByRole("button", { name: `Revoke token ${name}` }).count()).toBe(0);
      expect((await restAs(value, "GET", `/projects/${seeded.project.id}/members`)).status).toBe(
        401,
      );
      const after = await rest(server, "GET", "/user/tokens");
      expect(
        after.json.tokens.find((token: { id: string }) => token.id === made.id).revoked_at,
      ).toMatch(/Z$/);
    });
  }
});
