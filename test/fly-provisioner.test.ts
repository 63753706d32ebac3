/**
 * The Fly Machines driver's contract. It runs against the local fake (test/kit/fly-fake.ts) by
 * default, and against the real API when FLY_API_TOKEN and FLY_APP_NAME are set (optionally
 * FLY_API_BASE_URL, FLY_REGION, WORKSPACE_IMAGE, and FLY_GPU_KIND for the GPU case). The
 * fault-injection cases need the fake's switches and run only against it.
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import {
  createFlyProvisioner,
  type FlyMachine,
  type FlyProvisionerOptions,
  type FlyVolume,
  flyVolumeName,
  WORKSPACE_METADATA_KEY,
} from "../src/lifecycle/fly-provisioner.js";
import { FLY_RATE_LIMITS, rateLimitKey, TokenBuckets } from "../src/lifecycle/fly-rate-limits.js";
import type { MachineSpec, Provisioner } from "../src/lifecycle/provisioner.js";
import { type FlyFake, startFlyFake } from "./kit/fly-fake.js";
import { waitFor } from "./kit/wait.js";

const REAL = Boolean(process.env.FLY_API_TOKEN && process.env.FLY_APP_NAME);
const GPU_KIND = process.env.FLY_GPU_KIND ?? (REAL ? undefined : "a100-pcie-40gb");

interface Target {
  baseUrl: string;
  apiToken: string;
  appName: string;
  region: string;
  image: string;
  fake: FlyFake | null;
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  // Newest first: workspaces are destroyed before the fake that holds them is closed.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function target(transitionMs = 20): Promise<Target> {
  if (REAL) {
    return {
      baseUrl: process.env.FLY_API_BASE_URL ?? "https://api.machines.dev",
      apiToken: process.env.FLY_API_TOKEN ?? "",
      appName: process.env.FLY_APP_NAME ?? "",
      region: process.env.FLY_REGION ?? "iad",
      image: process.env.WORKSPACE_IMAGE ?? "registry-1.docker.io/library/nginx:alpine",
      fake: null,
    };
  }
  const fake = await startFlyFake({ transitionMs });
  cleanups.push(() => fake.close());
  return {
    baseUrl: fake.url,
    apiToken: fake.token,
    appName: fake.app,
    region: "iad",
    image: "registry.example/workspace:latest",
    fake,
  };
}

/** Small timeouts against the fake keep the file fast; the real API gets the defaults. */
function provisioner(t: Target, overrides: Partial<FlyProvisionerOptions> = {}): Provisioner {
  const tuning: Partial<FlyProvisionerOptions> = t.fake
    ? { callTimeoutMs: 500, maxRetries: 4, backoffBaseMs: 20, waitTimeoutSeconds: 1 }
    : {};
  return createFlyProvisioner({
    apiToken: t.apiToken,
    appName: t.appName,
    baseUrl: t.baseUrl,
    region: t.region,
    image: t.image,
    ...tuning,
    ...overrides,
  });
}

/** A fresh workspace, destroyed after the test whatever happened. */
function workspace(t: Target, hardware: Partial<MachineSpec> = {}): MachineSpec {
  const spec: MachineSpec = {
    workspaceId: randomUUID(),
    projectId: randomUUID(),
    projectName: "contract",
    cpuKind: "shared",
    cpus: 1,
    memoryMb: 512,
    volumeSizeGb: 1,
    gpuKind: null,
    volumeId: null,
    ...hardware,
  };
  cleanups.push(async () => {
    if (t.fake) {
      Object.assign(t.fake.faults, NO_FAULTS);
      t.fake.faults.failStart.clear();
    }
    await cleaner(t).destroy(null, spec, AbortSignal.timeout(120_000));
  });
  return spec;
}

/** One provisioner cleans up after a target's tests, so its pacing covers all of them. */
const cleaners = new WeakMap<Target, Provisioner>();
function cleaner(t: Target): Provisioner {
  const existing = cleaners.get(t);
  if (existing) return existing;
  const created = provisioner(t);
  cleaners.set(t, created);
  return created;
}

const NO_FAULTS = {
  latencyMs: 0,
  rateLimitNext: 0,
  rateLimitPerSecond: null,
  serverErrorsNext: 0,
  volumeCreateHangs: 0,
  holdMachineUpdate: 0,
  holdVolumeExtend: 0,
};

/**
 * What the API itself lists for a workspace: live machines and volumes. The fake's own state is
 * read directly: the test's look-ups must not spend the rate limits the driver is paced under.
 */
async function resources(t: Target, spec: MachineSpec) {
  const get = async <T>(path: string): Promise<T> => {
    if (t.fake) {
      return [...(path === "machines" ? t.fake.machines : t.fake.volumes).values()].filter(
        (resource) => resource.state !== "destroyed",
      ) as T;
    }
    const response = await fetch(`${t.baseUrl}/v1/apps/${t.appName}/${path}`, {
      headers: { authorization: `Bearer ${t.apiToken}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };
  const machines = (await get<FlyMachine[]>("machines")).filter(
    (m) =>
      m.config.metadata?.[WORKSPACE_METADATA_KEY] === spec.workspaceId &&
      !["destroying", "destroyed"].includes(m.state),
  );
  const volumes = (await get<FlyVolume[]>("volumes")).filter(
    (v) => v.name === flyVolumeName(spec.workspaceId) && !/destroy|delet/.test(v.state),
  );
  return { machines, volumes };
}

function never(): AbortSignal {
  return new AbortController().signal;
}

function callLine(call: { method: string; path: string }): string {
  return `${call.method} ${call.path
    .replace(/\/machines\/\w+/, "/machines/:id")
    .replace(/\/volumes\/vol_\w+/, "/volumes/:id")
    .replace(/instance_id=\w+/, "instance_id=:i")
    .replace(/workspace_id=[\w-]+/, "workspace_id=:ws")
    .replace(/\/apps\/\w+/, "")}`;
}

describe("Fly provisioner contract", () => {
  it("runs a workspace through create → start → stop → start → destroy with one machine and one volume", async () => {
    const t = await target();
    const fly = provisioner(t);
    const spec = workspace(t);

    const { machineId } = await fly.createMachine(spec, never());
    let seen = await resources(t, spec);
    expect(seen.machines.map((m) => m.id)).toEqual([machineId]);
    expect(seen.volumes).toHaveLength(1);
    expect(seen.machines[0]?.config.mounts).toEqual([
      { volume: seen.volumes[0]?.id, path: "/workspace" },
    ]);

    const first = await fly.start(machineId, spec, never());
    seen = await resources(t, spec);
    expect(seen.machines[0]?.state).toBe("started");
    expect(first.privateIp).toBe(seen.machines[0]?.private_ip);

    await fly.stop(machineId, spec, never());
    seen = await resources(t, spec);
    expect(seen.machines[0]?.state).toBe("stopped");

    const second = await fly.start(machineId, spec, never());
    expect(second.privateIp).toBe(first.privateIp);
    seen = await resources(t, spec);
    expect(seen.machines.map((m) => m.id)).toEqual([machineId]);
    expect(seen.volumes).toHaveLength(1);

    await fly.destroy(machineId, spec, never());
    seen = await resources(t, spec);
    expect(seen).toEqual({ machines: [], volumes: [] });
  });

  it.runIf(!REAL)(
    "makes exactly the expected API calls per lifecycle (fake call log)",
    async () => {
      const t = await target();
      const fake = t.fake as FlyFake;
      const fly = provisioner(t);
      const spec = workspace(t);
      const { machineId } = await fly.createMachine(spec, never());
      await fly.start(machineId, spec, never());
      await fly.stop(machineId, spec, never());
      await fly.start(machineId, spec, never());
      await fly.destroy(machineId, spec, never());
      expect(fake.calls.map(callLine)).toEqual([
        "GET /v1/machines?metadata.workspace_id=:ws",
        "GET /v1/volumes",
        "POST /v1/volumes",
        "POST /v1/machines",
        "GET /v1/machines/:id",
        "POST /v1/machines/:id/start",
        "GET /v1/machines/:id/wait?state=started&timeout=1&instance_id=:i",
        "GET /v1/machines/:id",
        "POST /v1/machines/:id/stop",
        "GET /v1/machines/:id/wait?state=stopped&timeout=1&instance_id=:i",
        "GET /v1/machines/:id",
        "POST /v1/machines/:id/start",
        "GET /v1/machines/:id/wait?state=started&timeout=1&instance_id=:i",
        "GET /v1/machines/:id",
        "DELETE /v1/machines/:id?force=true",
        "GET /v1/machines/:id/wait?state=destroyed&timeout=1&instance_id=:i",
        // The volume id comes from the machine's mount: no list of volumes.
        "DELETE /v1/volumes/:id",
      ]);
      expect(fake.calls.every((call) => call.status === 200)).toBe(true);
    },
  );

  it("gives the same machine and one volume when createMachine runs twice for a workspace", async () => {
    const t = await target();
    const spec = workspace(t);
    const first = await provisioner(t).createMachine(spec, never());
    // A second process (after a crash) has no memory of the first.
    const again = await provisioner(t).createMachine(spec, never());
    expect(again.machineId).toBe(first.machineId);
    const seen = await resources(t, spec);
    expect(seen.machines).toHaveLength(1);
    expect(seen.volumes).toHaveLength(1);
  });

  it("destroys what is already gone without complaint", async () => {
    const t = await target();
    const fly = provisioner(t);
    const spec = workspace(t);
    await expect(fly.destroy(null, spec, never())).resolves.toBeUndefined();
    const { machineId } = await fly.createMachine(spec, never());
    await fly.destroy(machineId, spec, never());
    await expect(fly.destroy(machineId, spec, never())).resolves.toBeUndefined();
    await expect(fly.destroy(null, spec, never())).resolves.toBeUndefined();
    expect(await resources(t, spec)).toEqual({ machines: [], volumes: [] });
  });

  it("finds the machine by workspace when destroy is given no machine id", async () => {
    const t = await target();
    const fly = provisioner(t);
    const spec = workspace(t);
    await fly.createMachine(spec, never());
    await fly.destroy(null, spec, never());
    expect(await resources(t, spec)).toEqual({ machines: [], volumes: [] });
  });

  const hardware: [string, Partial<MachineSpec>, boolean][] = [
    ["shared", { cpuKind: "shared", cpus: 2, memoryMb: 2048, volumeSizeGb: 10 }, true],
    ["performance", { cpuKind: "performance", cpus: 2, memoryMb: 4096, volumeSizeGb: 20 }, true],
    [
      "a GPU",
      { cpuKind: "performance", cpus: 8, memoryMb: 16384, volumeSizeGb: 50, gpuKind: GPU_KIND },
      GPU_KIND !== undefined,
    ],
  ];
  for (const [name, spec, enabled] of hardware) {
    it.runIf(enabled)(`maps ${name} hardware onto the guest and the volume`, async () => {
      const t = await target();
      const ws = workspace(t, spec);
      await provisioner(t).createMachine(ws, never());
      const { machines, volumes } = await resources(t, ws);
      expect(machines[0]?.config.guest).toMatchObject({
        cpu_kind: ws.cpuKind,
        cpus: ws.cpus,
        memory_mb: ws.memoryMb,
      });
      expect(machines[0]?.config.guest.gpu_kind ?? null).toBe(ws.gpuKind);
      expect(machines[0]?.region).toBe(t.region);
      expect(machines[0]?.config.image).toBe(t.image);
      expect(volumes.map((v) => [v.size_gb, v.region])).toEqual([[ws.volumeSizeGb, t.region]]);
    });
  }

  it("refuses a wrong token with a message that names FLY_API_TOKEN and not the token", async () => {
    const t = await target();
    const badToken = `bad-${randomUUID()}`;
    const fly = provisioner({ ...t, apiToken: badToken });
    const failure = await fly.createMachine(workspace(t), never()).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/refused the API token .*FLY_API_TOKEN/);
    expect((failure as Error).message).not.toContain(badToken);
  });

  it("says the provider refused the machine configuration when it does", async () => {
    const t = await target();
    const fly = provisioner({ ...t, image: "" });
    await expect(fly.createMachine(workspace(t), never())).rejects.toThrow(
      /^the provider refused the machine configuration: .*image/,
    );
  });

  it("rejects at once, without a call, when the signal is already aborted", async () => {
    const t = await target();
    const controller = new AbortController();
    controller.abort();
    const before = t.fake?.calls.length;
    await expect(
      provisioner(t).createMachine(workspace(t), controller.signal),
    ).rejects.toMatchObject({ name: "AbortError" });
    expect(t.fake?.calls.length).toBe(before);
  });
});

describe.runIf(!REAL)("Fly provisioner under injected faults (fake only)", () => {
  async function fakeTarget(transitionMs?: number): Promise<Target & { fake: FlyFake }> {
    return (await target(transitionMs)) as Target & { fake: FlyFake };
  }

  /** Runs `run` until the fake has seen `method` on a path ending in `suffix`, then aborts it. */
  async function crashAfter(
    fake: FlyFake,
    method: string,
    suffix: RegExp,
    run: (signal: AbortSignal) => Promise<unknown>,
  ): Promise<void> {
    const controller = new AbortController();
    const running = run(controller.signal).catch((error: Error) => error);
    await waitFor(
      () => fake.calls.some((c) => c.method === method && suffix.test(c.path) && c.status !== 0),
      { timeoutMs: 2_000, what: `${method} ${suffix}` },
    );
    controller.abort();
    expect(await running).toMatchObject({ name: "AbortError" });
  }

  it("finishes a destroy that a crash interrupted while the machine was destroying", async () => {
    const t = await fakeTarget(300);
    const spec = workspace(t);
    const { machineId } = await provisioner(t).createMachine(spec, never());
    await crashAfter(t.fake, "DELETE", /\/machines\/\w+\?force=true$/, (signal) =>
      provisioner(t).destroy(machineId, spec, signal),
    );
    expect(t.fake.machines.get(machineId)?.state).toBe("destroying");
    // The next process knows no machine id yet (it was never recorded, say).
    await provisioner(t).destroy(null, spec, never());
    expect(await resources(t, spec)).toEqual({ machines: [], volumes: [] });
    expect(
      t.fake.calls.filter((c) => c.method === "DELETE" && c.path.includes("/machines/")),
    ).toHaveLength(1);
  });

  it("finishes a stop that a crash interrupted while the machine was stopping", async () => {
    const t = await fakeTarget(300);
    const fly = provisioner(t);
    const spec = workspace(t);
    const { machineId } = await fly.createMachine(spec, never());
    await fly.start(machineId, spec, never());
    await crashAfter(t.fake, "POST", /\/stop$/, (signal) => fly.stop(machineId, spec, signal));
    expect(t.fake.machines.get(machineId)?.state).toBe("stopping");
    await provisioner(t).stop(machineId, spec, never());
    expect(t.fake.machines.get(machineId)?.state).toBe("stopped");
    expect(t.fake.calls.filter((c) => c.path.endsWith("/stop"))).toHaveLength(1);
  });

  it("stops waiting as soon as the signal aborts mid-call", async () => {
    const t = await fakeTarget();
    t.fake.faults.latencyMs = 5_000;
    const controller = new AbortController();
    const creating = provisioner(t, { callTimeoutMs: 10_000 }).createMachine(
      workspace(t),
      controller.signal,
    );
    await waitFor(() => t.fake.calls.length > 0, { timeoutMs: 2_000, what: "the first call" });
    const abortedAt = Date.now();
    controller.abort();
    await expect(creating).rejects.toMatchObject({ name: "AbortError" });
    expect(Date.now() - abortedAt).toBeLessThan(200);
    expect(t.fake.calls).toHaveLength(1);
  });

  it("works through latency below the call timeout", async () => {
    const t = await fakeTarget();
    t.fake.faults.latencyMs = 100;
    const fly = provisioner(t);
    const spec = workspace(t);
    const startedAt = Date.now();
    const { machineId } = await fly.createMachine(spec, never());
    await fly.start(machineId, spec, never());
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(100 * t.fake.calls.length);
    expect(t.fake.calls.every((call) => call.status === 200)).toBe(true);
    expect([...t.fake.machines.values()].map((m) => m.state)).toEqual(["started"]);
  });

  it("gives up on latency above the call timeout with a message, after its retries", async () => {
    const t = await fakeTarget();
    t.fake.faults.latencyMs = 300;
    const fly = provisioner(t, { callTimeoutMs: 100, maxRetries: 2 });
    const error = await fly.createMachine(workspace(t), never()).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      "the Fly Machines API was unavailable while creating the machine (no answer within 100 ms; 3 attempts); the step can be tried again",
    );
    expect(t.fake.calls).toHaveLength(3);
  });

  it("retries 5xx answers and still creates one machine and one volume", async () => {
    const t = await fakeTarget();
    const warnings: object[] = [];
    const logger = { info() {}, warn: (details: object) => warnings.push(details) };
    t.fake.faults.serverErrorsNext = 3;
    const spec = workspace(t);
    const { machineId } = await provisioner(t, { logger }).createMachine(spec, never());
    expect(t.fake.calls.filter((c) => c.status === 503)).toHaveLength(3);
    expect(t.fake.machines.size).toBe(1);
    expect(t.fake.machines.has(machineId)).toBe(true);
    expect(t.fake.volumes.size).toBe(1);
    expect(warnings).toHaveLength(3);
    expect(JSON.stringify(warnings)).not.toContain(t.apiToken);
  });

  it("rejects with an actionable message once 5xx retries are exhausted", async () => {
    const t = await fakeTarget();
    t.fake.faults.serverErrorsNext = 100;
    const error = await provisioner(t, { maxRetries: 2 })
      .createMachine(workspace(t), never())
      .catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      /^the Fly Machines API was unavailable while creating the machine \(HTTP 503: service unavailable; 3 attempts\)/,
    );
    expect((error as Error).message).not.toContain(t.apiToken);
    expect((error as Error).message).not.toMatch(/\n\s+at /);
  });

  it("rejects a machine that fails to start with a message the user can act on", async () => {
    const t = await fakeTarget();
    const fly = provisioner(t);
    const spec = workspace(t);
    const { machineId } = await fly.createMachine(spec, never());
    t.fake.faults.failStart.add(machineId);
    const error = await fly.start(machineId, spec, never()).catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      new RegExp(`^the machine did not start: Fly reports it as "failed" \\(machine ${machineId}`),
    );
    expect((error as Error).message).toContain("fly logs");
    expect((error as Error).message).not.toContain(t.apiToken);
  });

  it("does not create a second volume when a volume create times out after succeeding", async () => {
    const t = await fakeTarget();
    t.fake.faults.volumeCreateHangs = 1; // never answered
    const spec = workspace(t);
    const { machineId } = await provisioner(t, { callTimeoutMs: 200 }).createMachine(spec, never());
    const volumeCreates = t.fake.calls.filter(
      (c) => c.method === "POST" && c.path.endsWith("/volumes"),
    );
    expect(volumeCreates).toHaveLength(1);
    expect(t.fake.volumes.size).toBe(1);
    const [volume] = t.fake.volumes.values();
    expect(t.fake.machines.get(machineId)?.config.mounts?.[0]?.volume).toBe(volume?.id);
  });

  it("does not create a second volume when the answer arrives after the client's timeout", async () => {
    const t = await fakeTarget();
    t.fake.faults.volumeCreateHangs = 1;
    t.fake.faults.volumeCreateHangMs = 400;
    const spec = workspace(t);
    await provisioner(t, { callTimeoutMs: 150 }).createMachine(spec, never());
    expect(t.fake.volumes.size).toBe(1);
    expect(t.fake.machines.size).toBe(1);
  });

  it("honours Retry-After on a 429 before its next call", async () => {
    const t = await fakeTarget();
    t.fake.faults.rateLimitNext = 1;
    await provisioner(t).createMachine(workspace(t), never());
    const [limited, next] = t.fake.calls;
    expect(limited?.status).toBe(429);
    expect(next?.status).toBe(200);
    expect((next?.at ?? 0) - (limited?.answeredAt ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(t.fake.machines.size).toBe(1);
  });

  it("keeps under a calls-per-second limit: concurrent steps pause together after a 429", async () => {
    const t = await fakeTarget();
    t.fake.faults.rateLimitPerSecond = 5;
    const fly = provisioner(t, { maxRetries: 8 });
    const specs = [workspace(t), workspace(t)];
    await Promise.all(
      specs.map(async (spec) => {
        const { machineId } = await fly.createMachine(spec, never());
        await fly.start(machineId, spec, never());
      }),
    );
    expect([...t.fake.machines.values()].map((m) => m.state)).toEqual(["started", "started"]);
    expect(t.fake.volumes.size).toBe(2);
    const refused = t.fake.calls.filter((c) => c.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    // After a 429 the whole provisioner waits: no call arrives inside the Retry-After window
    // (a small margin for calls already on the wire).
    for (const limited of refused) {
      const answeredAt = limited.answeredAt ?? 0;
      const inside = t.fake.calls.filter((c) => c.at > answeredAt + 30 && c.at < answeredAt + 1000);
      expect(inside).toEqual([]);
    }
    // Each window costs at most one refusal per step in flight: refusals come in bursts no
    // larger than the number of concurrent steps, never as a stream of retries.
    const bursts: number[] = [];
    let burstStart = Number.NEGATIVE_INFINITY;
    for (const limited of refused) {
      if (limited.at - burstStart > 30) {
        burstStart = limited.at;
        bursts.push(0);
      }
      bursts[bursts.length - 1] = (bursts.at(-1) ?? 0) + 1;
    }
    expect(Math.max(...bursts)).toBeLessThanOrEqual(specs.length);
  });
});

describe.runIf(!REAL)("Fly provisioner: resize at start, look-ups, pacing (fake only)", () => {
  async function fakeTarget(transitionMs?: number): Promise<Target & { fake: FlyFake }> {
    return (await target(transitionMs)) as Target & { fake: FlyFake };
  }

  /** The machine updates (`POST /machines/{id}`) and volume extends the fake has seen. */
  function resizeCalls(fake: FlyFake) {
    return {
      updates: fake.calls.filter((c) => c.method === "POST" && /\/machines\/\w+$/.test(c.path)),
      extends: fake.calls.filter((c) => c.method === "PUT" && c.path.endsWith("/extend")),
    };
  }

  /** A stopped workspace at the fake, and the spec it was created with. */
  async function stoppedWorkspace(t: Target & { fake: FlyFake }) {
    const fly = provisioner(t);
    const spec = workspace(t);
    const { machineId, volumeId } = await fly.createMachine(spec, never());
    await fly.start(machineId, spec, never());
    await fly.stop(machineId, spec, never());
    return { fly, machineId, spec: { ...spec, volumeId: volumeId ?? null } };
  }

  const bigger = { cpuKind: "performance", cpus: 2, memoryMb: 4096, volumeSizeGb: 3 } as const;

  it("applies a resize at the next start: one machine update (skip_launch, whole config), one volume extend", async () => {
    const t = await fakeTarget();
    const { fly, machineId, spec } = await stoppedWorkspace(t);
    expect(resizeCalls(t.fake)).toEqual({ updates: [], extends: [] });
    const before = structuredClone(t.fake.machines.get(machineId)?.config);
    const resized = { ...spec, ...bigger };

    const started = await fly.start(machineId, resized, never());
    const machine = t.fake.machines.get(machineId);
    expect(machine?.state).toBe("started");
    expect(machine?.config.guest).toEqual({ cpu_kind: "performance", cpus: 2, memory_mb: 4096 });
    expect(t.fake.volumes.get(spec.volumeId ?? "")?.size_gb).toBe(3);
    expect(started.volumeId).toBe(spec.volumeId);
    // The whole config went with the update; only the guest and the recorded size changed.
    expect(resizeCalls(t.fake).updates.map((c) => c.body)).toEqual([
      {
        config: {
          ...before,
          guest: machine?.config.guest,
          metadata: { ...before?.metadata, volume_size_gb: "3" },
        },
        region: t.region,
        skip_launch: true,
      },
    ]);
    const { updates, extends: grown } = resizeCalls(t.fake);
    expect([updates.length, grown.length]).toEqual([1, 1]);
    // Extended and updated while stopped, then started: in that order.
    const order = t.fake.calls.map((c) => c.path);
    const startCall = order.lastIndexOf(`/v1/apps/${t.appName}/machines/${machineId}/start`);
    expect(order.indexOf(grown[0]?.path ?? "")).toBeLessThan(startCall);
    expect(order.indexOf(updates[0]?.path ?? "")).toBeLessThan(startCall);

    // Later starts find the hardware applied: nothing more, and no volume read either.
    const callsBefore = t.fake.calls.length;
    await fly.stop(machineId, resized, never());
    await fly.start(machineId, resized, never());
    expect([resizeCalls(t.fake).updates.length, resizeCalls(t.fake).extends.length]).toEqual([
      1, 1,
    ]);
    expect(t.fake.calls.slice(callsBefore).filter((c) => c.path.includes("/volumes"))).toEqual([]);
  });

  it("resizes CPU and memory alone with one update and no extend; the volume alone with one extend", async () => {
    const t = await fakeTarget();
    const { fly, machineId, spec } = await stoppedWorkspace(t);
    await fly.start(machineId, { ...spec, cpus: 4, memoryMb: 1024 }, never());
    expect([resizeCalls(t.fake).updates.length, resizeCalls(t.fake).extends.length]).toEqual([
      1, 0,
    ]);
    await fly.stop(machineId, spec, never());
    await fly.start(machineId, { ...spec, cpus: 4, memoryMb: 1024, volumeSizeGb: 5 }, never());
    expect(t.fake.volumes.get(spec.volumeId ?? "")?.size_gb).toBe(5);
    // The size recorded on the machine moves with the volume: one update for it.
    expect([resizeCalls(t.fake).updates.length, resizeCalls(t.fake).extends.length]).toEqual([
      2, 1,
    ]);
  });

  for (const [hold, crashPoint] of [
    ["holdVolumeExtend", "after the volume extend"],
    ["holdMachineUpdate", "after the machine update"],
  ] as const) {
    it(`repeats neither call when a start is retried after a crash ${crashPoint}`, async () => {
      const t = await fakeTarget();
      const { machineId, spec } = await stoppedWorkspace(t);
      const resized = { ...spec, ...bigger };
      t.fake.faults[hold] = 1;
      const controller = new AbortController();
      const crashed = provisioner(t)
        .start(machineId, resized, controller.signal)
        .catch((error: Error) => error);
      const suffix = hold === "holdVolumeExtend" ? /\/extend$/ : /\/machines\/\w+$/;
      await waitFor(() => t.fake.calls.some((c) => suffix.test(c.path) && c.status === 0), {
        timeoutMs: 5_000,
        what: "the held call",
      });
      controller.abort();
      expect(await crashed).toMatchObject({ name: "AbortError" });

      // Another process, with no memory of the first, starts it again.
      await provisioner(t).start(machineId, resized, never());
      const machine = t.fake.machines.get(machineId);
      expect(machine?.state).toBe("started");
      expect(machine?.config.guest.cpus).toBe(2);
      expect(t.fake.volumes.get(spec.volumeId ?? "")?.size_gb).toBe(3);
      const { updates, extends: grown } = resizeCalls(t.fake);
      expect([updates.length, grown.length]).toEqual([1, 1]);
    });
  }

  it("finds a machine through the metadata filter, and through the full list when the API ignores it", async () => {
    const t = await fakeTarget();
    const fly = provisioner(t);
    const [a, b] = [workspace(t), workspace(t)];
    const made = [await fly.createMachine(a, never()), await fly.createMachine(b, never())];
    const lists = () =>
      t.fake.calls.filter((c) => c.method === "GET" && /\/machines(\?|$)/.test(c.path));
    expect(
      lists().map((c) => new URL(c.path, t.baseUrl).searchParams.get("metadata.workspace_id")),
    ).toEqual([a.workspaceId, b.workspaceId]);

    for (const ignored of [false, true]) {
      t.fake.faults.ignoreMetadataFilter = ignored;
      const again = [await fly.createMachine(a, never()), await fly.createMachine(b, never())];
      expect(again.map((m) => m.machineId)).toEqual(made.map((m) => m.machineId));
    }
    expect(t.fake.machines.size).toBe(2);
    // Destroy with no machine id finds it the same way, filter ignored or not.
    await fly.destroy(null, a, never());
    expect(t.fake.machines.get(made[0]?.machineId ?? "")?.state).toBe("destroyed");
    expect(t.fake.machines.get(made[1]?.machineId ?? "")?.state).toBe("created");
  });

  it("reaches a known volume by id: start, stop and destroy list no volumes", async () => {
    const t = await fakeTarget();
    const { fly, machineId, spec } = await stoppedWorkspace(t);
    expect(spec.volumeId).toMatch(/^vol_/);
    const callsBefore = t.fake.calls.length;
    await fly.start(machineId, spec, never());
    await fly.stop(machineId, spec, never());
    await fly.destroy(machineId, spec, never());
    // Even once the machine is gone, the volume is deleted by its id.
    await fly.destroy(machineId, spec, never());
    const volumeCalls = t.fake.calls.slice(callsBefore).filter((c) => c.path.includes("/volumes"));
    expect(volumeCalls.map((c) => c.method)).toEqual(["DELETE", "DELETE"]);
    expect(volumeCalls.map((c) => c.status)).toEqual([200, 404]);
    expect(await resources(t, spec)).toEqual({ machines: [], volumes: [] });
  });

  const BURST = 6;
  it(`provisions a burst of ${BURST} workspaces with no 429 from the fake's documented limits`, async () => {
    const t = await fakeTarget();
    const fly = provisioner(t, { maxRetries: 10 });
    const specs = Array.from({ length: BURST }, () => workspace(t));
    await Promise.all(
      specs.map(async (spec) => {
        const { machineId } = await fly.createMachine(spec, never());
        await fly.start(machineId, spec, never());
      }),
    );
    expect([...t.fake.machines.values()].filter((m) => m.state === "started")).toHaveLength(BURST);
    const refused = t.fake.calls.filter((c) => c.status === 429);
    expect(refused).toEqual([]);
    // Four app-wide calls per workspace (list machines, list volumes, create both) went through
    // buckets of 1/s: beyond a burst, the driver waited for its tokens instead of being refused.
    expect(t.fake.calls.filter((c) => c.path.endsWith("/volumes")).length).toBe(2 * BURST);
    console.log(
      `fly pacing: ${BURST} workspaces created and started, ${t.fake.calls.length} calls, ${refused.length} answered 429`,
    );
  }, 60_000);

  it(`is refused by the same limits when its pacing is off (the burst of ${BURST} gets 429s)`, async () => {
    const t = await fakeTarget();
    const fly = provisioner(t, { maxRetries: 10, pace: false });
    const specs = Array.from({ length: BURST }, () => workspace(t));
    await Promise.all(specs.map((spec) => fly.createMachine(spec, never())));
    expect(t.fake.calls.filter((c) => c.status === 429).length).toBeGreaterThan(0);
    expect(t.fake.machines.size).toBe(BURST);
  }, 60_000);
});

describe("the driver's token buckets", () => {
  it("let a burst of one less than the API's through at once, then book one token per 1/rate", () => {
    let now = 0;
    const buckets = new TokenBuckets(() => now);
    const action = FLY_RATE_LIMITS.action;
    const waits = Array.from({ length: 4 }, () => buckets.reserve("POST machines app", action));
    expect(waits).toEqual([0, 0, 1000, 2000]);
    // Another resource, or another action, has its own bucket.
    expect(buckets.reserve("POST machines/{id}/start m1", action)).toBe(0);
    now = 3000;
    expect(buckets.reserve("POST machines app", action)).toBe(0);
    expect(buckets.reserve("POST machines app", action)).toBe(1000);
    const get = FLY_RATE_LIMITS.getMachine;
    const gets = Array.from({ length: 10 }, () => buckets.reserve("GET machines/{id} m1", get));
    expect(gets.slice(0, 9)).toEqual(Array(9).fill(0));
    expect(gets[9]).toBe(200);
  });

  it("key calls by action and resource: Get Machine apart, ids in the key, the app for lists", () => {
    expect(rateLimitKey("GET", "/v1/apps/demo/machines/abc")).toEqual({
      key: "GET machines/{id} abc",
      limit: FLY_RATE_LIMITS.getMachine,
    });
    expect(rateLimitKey("GET", "/v1/apps/demo/machines/abc/wait").limit).toBe(
      FLY_RATE_LIMITS.action,
    );
    expect(rateLimitKey("GET", "/v1/apps/demo/machines").key).toBe("GET machines demo");
    expect(rateLimitKey("PUT", "/v1/apps/demo/volumes/vol_1/extend").key).toBe(
      "PUT volumes/{id}/extend vol_1",
    );
  });
});

describe.runIf(!REAL)("the Fly fake itself", () => {
  async function api(
    fake: FlyFake,
    method: string,
    path: string,
    body?: unknown,
    token = fake.token,
  ) {
    const response = await fetch(`${fake.url}/v1/apps/${fake.app}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      body: (await response.json()) as Record<string, unknown>,
    };
  }

  it("enforces the documented limits per action and machine: 3 at once then 1/s, Get Machine 10 then 5/s", async () => {
    let now = 0;
    const fake = await startFlyFake({ clock: () => now });
    cleanups.push(() => fake.close());
    const created = [];
    for (let i = 0; i < 4; i++) {
      created.push(
        await api(fake, "POST", "/machines", {
          skip_launch: true,
          config: { image: "img", guest: { cpu_kind: "shared", cpus: 1, memory_mb: 256 } },
        }),
      );
    }
    // Create Machine: 3 accepted (n), the 4th refused (n+1) with a Retry-After.
    expect(created.map((c) => c.status)).toEqual([200, 200, 200, 429]);
    expect(created[3]?.retryAfter).toBe("1");
    const id = String(created[0]?.body.id);
    const other = String(created[1]?.body.id);
    const gets = [];
    for (let i = 0; i < 11; i++) gets.push((await api(fake, "GET", `/machines/${id}`)).status);
    expect(gets).toEqual([...Array(10).fill(200), 429]);
    // Per machine: another machine's Get has its own bucket; other actions their own too.
    expect((await api(fake, "GET", `/machines/${other}`)).status).toBe(200);
    expect((await api(fake, "GET", "/machines")).status).toBe(200);
    // Refilled at the documented rates: 1 create after 1 s, 1 get after 200 ms.
    now += 200;
    expect((await api(fake, "GET", `/machines/${id}`)).status).toBe(200);
    expect((await api(fake, "GET", `/machines/${id}`)).status).toBe(429);
    now += 800;
    expect((await api(fake, "POST", "/machines", { config: { image: "img" } })).status).toBe(200);
    expect((await api(fake, "POST", "/machines", { config: { image: "img" } })).status).toBe(429);
    expect([...fake.limits.refused.values()].reduce((a, b) => a + b)).toBe(4);
    fake.faults.documentedLimits = false;
    expect((await api(fake, "POST", "/machines", { config: { image: "img" } })).status).toBe(200);
  });

  it("filters the machine list on metadata, updates a machine and only grows a volume", async () => {
    const fake = await startFlyFake();
    cleanups.push(() => fake.close());
    const config = (ws: string) => ({
      image: "img",
      guest: { cpu_kind: "shared", cpus: 1, memory_mb: 256 },
      metadata: { workspace_id: ws },
    });
    const a = await api(fake, "POST", "/machines", { skip_launch: true, config: config("a") });
    await api(fake, "POST", "/machines", { skip_launch: true, config: config("b") });
    const listed = async () =>
      (
        (await api(fake, "GET", "/machines?metadata.workspace_id=a")).body as unknown as {
          config: { metadata: { workspace_id: string } };
        }[]
      ).map((m) => m.config.metadata.workspace_id);
    expect(await listed()).toEqual(["a"]);
    fake.faults.ignoreMetadataFilter = true;
    expect(await listed()).toEqual(["a", "b"]);

    const id = String(a.body.id);
    const updated = await api(fake, "POST", `/machines/${id}`, {
      skip_launch: true,
      config: { ...config("a"), guest: { cpu_kind: "shared", cpus: 2, memory_mb: 1024 } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.state).toBe("created");
    expect(updated.body.instance_id).not.toBe(a.body.instance_id);
    expect(
      (
        await api(fake, "POST", `/machines/${id}`, {
          config: { ...config("a"), guest: { cpu_kind: "shared", cpus: 3, memory_mb: 256 } },
        })
      ).status,
    ).toBe(400);

    const volume = await api(fake, "POST", "/volumes", { name: "v", size_gb: 1, region: "iad" });
    const extend = (size: number) =>
      api(fake, "PUT", `/volumes/${String(volume.body.id)}/extend`, { size_gb: size });
    expect((await extend(2)).status).toBe(200);
    expect((await extend(2)).body.error).toMatch(/greater than the current size \(2\)/);
    expect(fake.volumes.get(String(volume.body.id))?.size_gb).toBe(2);
  });

  it("checks the token, and honours wait's state, timeout and instance_id", async () => {
    const fake = await startFlyFake({ transitionMs: 50 });
    cleanups.push(() => fake.close());
    expect((await api(fake, "GET", "/machines", undefined, "wrong")).status).toBe(401);
    const created = await api(fake, "POST", "/machines", {
      skip_launch: true,
      config: { image: "img", guest: { cpu_kind: "shared", cpus: 1, memory_mb: 256 } },
    });
    expect(created.body.state).toBe("created");
    const id = String(created.body.id);
    const instance = String(created.body.instance_id);
    const waitStarted = `/machines/${id}/wait?state=started&timeout=1&instance_id=${instance}`;

    const timedOut = Date.now();
    expect((await api(fake, "GET", waitStarted)).status).toBe(408);
    expect(Date.now() - timedOut).toBeGreaterThanOrEqual(1000);
    expect(
      (await api(fake, "GET", `/machines/${id}/wait?state=started&instance_id=nope`)).status,
    ).toBe(400);
    expect((await api(fake, "GET", `/machines/${id}/wait?state=bogus`)).status).toBe(400);

    const waiting = api(fake, "GET", waitStarted);
    expect((await api(fake, "POST", `/machines/${id}/start`)).body.previous_state).toBe("created");
    expect((await api(fake, "GET", `/machines/${id}`)).body.state).toBe("starting");
    expect((await waiting).status).toBe(200);
    expect((await api(fake, "DELETE", `/machines/${id}`)).status).toBe(412);
  });
});
