import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeRateLimits } from "./fly-fake-limits.js";

/**
 * A local stand-in for the Fly Machines API (`/v1/apps/{app}/machines`, `/volumes`): the
 * documented shapes, Bearer auth, the `metadata.{key}` filter of the machine list, machine
 * update (`POST /machines/{id}`, a new instance), volume `extend`, `wait` with `state`,
 * `timeout` and `instance_id`, the documented rate limits (429 with Retry-After), and the
 * machine state machine created → starting → started → stopping → stopped → destroying →
 * destroyed, each transient state lasting `transitionMs`. Faults are switched on through
 * `faults` while it runs.
 */
export interface FlyFakeOptions {
  /** The Bearer token it accepts; default `fake-token`. */
  token?: string;
  /** The one app it knows; default `demo`. */
  app?: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Time spent in each transient state (starting, stopping, destroying); default 20 ms. */
  transitionMs?: number;
  /** The clock of the rate limits (a test's own, to test them without timing); default Date.now. */
  clock?: () => number;
}

export interface FakeMachine {
  id: string;
  name: string;
  state: string;
  region: string;
  instance_id: string;
  private_ip: string;
  config: {
    image: string;
    guest: { cpu_kind: string; cpus: number; memory_mb: number; gpu_kind?: string };
    mounts?: { volume: string; path: string }[];
    metadata?: Record<string, string>;
    [key: string]: unknown;
  };
  created_at: string;
  updated_at: string;
}

export interface FakeVolume {
  id: string;
  name: string;
  state: string;
  size_gb: number;
  region: string;
  zone: string;
  encrypted: boolean;
  attached_machine_id: string | null;
  created_at: string;
}

/** Switches to inject failures; change them at any time. */
export interface FlyFakeFaults {
  /** Delay before every answer. */
  latencyMs: number;
  /** The next N calls get 429 with Retry-After. */
  rateLimitNext: number;
  /** More than this many calls within one second get 429 with Retry-After; null: no limit. */
  rateLimitPerSecond: number | null;
  /** Retry-After sent with a 429, in seconds. */
  retryAfterSeconds: number;
  /** The next N calls get 503. */
  serverErrorsNext: number;
  /** Machine ids whose starts end in `failed`. */
  failStart: Set<string>;
  /** The next N volume creates succeed on the server, then the answer is held back. */
  volumeCreateHangs: number;
  /** How long a held answer waits; null: never answered. */
  volumeCreateHangMs: number | null;
  /** The next N machine creates succeed on the server, then the answer is never sent. */
  holdMachineCreate: number;
  /** Machine destroys are refused (409, a lease held elsewhere) while set. */
  refuseDestroy: boolean;
  /** Every call is answered 503 while set (see `setOutage` for refused connections). */
  unavailable: boolean;
  /** The documented per-action limits (see fly-fake-limits.ts) are enforced while set (default). */
  documentedLimits: boolean;
  /** The machine list ignores `metadata.*` filters (answers the full list) while set. */
  ignoreMetadataFilter: boolean;
  /** The next N machine updates are applied, then the answer is never sent. */
  holdMachineUpdate: number;
  /** The next N volume extends are applied, then the answer is never sent. */
  holdVolumeExtend: number;
}

export interface FlyFakeCall {
  method: string;
  /** Path with query string. */
  path: string;
  /** The JSON body sent, if any. */
  body?: unknown;
  /** 0 while no answer has been sent. */
  status: number;
  /** When the call arrived and when it was answered (ms since the epoch). */
  at: number;
  answeredAt: number | null;
}

export interface FlyFake {
  url: string;
  token: string;
  app: string;
  machines: Map<string, FakeMachine>;
  volumes: Map<string, FakeVolume>;
  calls: FlyFakeCall[];
  faults: FlyFakeFaults;
  /** The documented limits' buckets and the refusals they made. */
  limits: FakeRateLimits;
  /**
   * An outage: "unavailable" answers every call 503; "refused" closes the listening socket and
   * every connection, so calls fail to connect; null ends it (listening again on the same port).
   */
  setOutage(kind: "unavailable" | "refused" | null): Promise<void>;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const WAITABLE_STATES = new Set(["started", "stopped", "suspended", "destroyed"]);
const VOLUME_NAME = /^[a-z0-9_]{1,30}$/;
const MACHINE_ROUTE = /^\/v1\/apps\/([^/]+)\/machines(?:\/([^/]+)(?:\/(start|stop|wait))?)?$/;
const VOLUME_ROUTE = /^\/v1\/apps\/([^/]+)\/volumes(?:\/([^/]+)(?:\/(extend))?)?$/;

/** Starts the fake on 127.0.0.1 (a free port unless `port` is given). */
export async function startFlyFake(options: FlyFakeOptions = {}): Promise<FlyFake> {
  const token = options.token ?? "fake-token";
  const app = options.app ?? "demo";
  const transitionMs = options.transitionMs ?? 20;
  const machines = new Map<string, FakeMachine>();
  const volumes = new Map<string, FakeVolume>();
  const calls: FlyFakeCall[] = [];
  const faults: FlyFakeFaults = {
    latencyMs: 0,
    rateLimitNext: 0,
    rateLimitPerSecond: null,
    retryAfterSeconds: 1,
    serverErrorsNext: 0,
    failStart: new Set(),
    volumeCreateHangs: 0,
    volumeCreateHangMs: null,
    holdMachineCreate: 0,
    refuseDestroy: false,
    unavailable: false,
    documentedLimits: true,
    ignoreMetadataFilter: false,
    holdMachineUpdate: 0,
    holdVolumeExtend: 0,
  };
  const limits = new FakeRateLimits(options.clock);
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Set<() => void>();
  const acceptedAt: number[] = [];

  function later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  }

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => later(ms, resolve));
  }

  function setState(machine: FakeMachine, state: string): void {
    machine.state = state;
    machine.updated_at = new Date().toISOString();
    if (state === "destroyed") {
      for (const volume of volumes.values()) {
        if (volume.attached_machine_id === machine.id) volume.attached_machine_id = null;
      }
    }
    for (const wake of [...waiters]) wake();
  }

  /** Applies the switched-on faults; returns true when the call was answered by one. */
  function injectFault(res: ServerResponse, method: string, pathname: string): boolean {
    const retryAfter = faults.documentedLimits ? limits.admit(method, pathname) : null;
    if (retryAfter !== null) {
      res.setHeader("retry-after", String(retryAfter));
      throw new HttpError(429, "rate limit exceeded (documented per-action limit)");
    }
    const now = Date.now();
    while (acceptedAt.length > 0 && (acceptedAt[0] ?? 0) <= now - 1000) acceptedAt.shift();
    const overLimit =
      faults.rateLimitPerSecond !== null && acceptedAt.length >= faults.rateLimitPerSecond;
    if (faults.rateLimitNext > 0 || overLimit) {
      if (faults.rateLimitNext > 0) faults.rateLimitNext--;
      res.setHeader("retry-after", String(faults.retryAfterSeconds));
      throw new HttpError(429, "rate limit exceeded");
    }
    acceptedAt.push(now);
    if (faults.unavailable) throw new HttpError(503, "service unavailable (outage)");
    if (faults.serverErrorsNext > 0) {
      faults.serverErrorsNext--;
      throw new HttpError(503, "service unavailable");
    }
    return false;
  }

  function machineOf(id: string): FakeMachine {
    const machine = machines.get(id);
    if (!machine) throw new HttpError(404, "machine not found");
    return machine;
  }

  function createMachine(body: Record<string, unknown>): FakeMachine {
    const config = body.config as FakeMachine["config"] | undefined;
    if (!config || typeof config !== "object") throw new HttpError(400, "config is required");
    if (typeof config.image !== "string" || config.image === "") {
      throw new HttpError(400, "invalid config.image: an image reference is required");
    }
    checkGuest(config.guest);
    const region = typeof body.region === "string" ? body.region : "iad";
    for (const mount of config.mounts ?? []) {
      const volume = volumes.get(mount.volume);
      if (!volume || volume.state === "destroyed") {
        throw new HttpError(400, `volume ${mount.volume} not found`);
      }
      if (volume.attached_machine_id) {
        throw new HttpError(412, `volume ${volume.id} is already attached to another machine`);
      }
      if (volume.region !== region) {
        throw new HttpError(400, `volume ${volume.id} is in ${volume.region}, not ${region}`);
      }
    }
    const id = randomBytes(7).toString("hex");
    const now = new Date().toISOString();
    const machine: FakeMachine = {
      id,
      name: typeof body.name === "string" ? body.name : `machine-${id}`,
      state: "created",
      region,
      instance_id: randomBytes(13).toString("hex").toUpperCase(),
      private_ip: `fdaa:0:1:a7b:${randomBytes(2).toString("hex")}:${randomBytes(2).toString("hex")}::2`,
      config,
      created_at: now,
      updated_at: now,
    };
    machines.set(id, machine);
    for (const mount of config.mounts ?? []) {
      const volume = volumes.get(mount.volume);
      if (volume) volume.attached_machine_id = id;
    }
    if (body.skip_launch !== true) startMachine(machine);
    return machine;
  }

  /** Replaces the config (a new instance); a stopped machine starts unless `skip_launch`. */
  function updateMachine(machine: FakeMachine, body: Record<string, unknown>): FakeMachine {
    if (machine.state === "destroying" || machine.state === "destroyed") {
      throw new HttpError(412, `machine is ${machine.state}`);
    }
    const config = body.config as FakeMachine["config"] | undefined;
    if (!config || typeof config !== "object") throw new HttpError(400, "config is required");
    if (typeof config.image !== "string" || config.image === "") {
      throw new HttpError(400, "invalid config.image: an image reference is required");
    }
    checkGuest(config.guest);
    for (const mount of config.mounts ?? []) {
      const volume = volumes.get(mount.volume);
      if (!volume || volume.state === "destroyed") {
        throw new HttpError(400, `volume ${mount.volume} not found`);
      }
      if (volume.attached_machine_id && volume.attached_machine_id !== machine.id) {
        throw new HttpError(412, `volume ${volume.id} is already attached to another machine`);
      }
    }
    machine.config = config;
    machine.instance_id = randomBytes(13).toString("hex").toUpperCase();
    machine.updated_at = new Date().toISOString();
    if (body.skip_launch !== true) startMachine(machine);
    return machine;
  }

  function startMachine(machine: FakeMachine): { previous_state: string } {
    const previous = machine.state;
    if (previous === "destroying" || previous === "destroyed") {
      throw new HttpError(412, `machine is ${previous}`);
    }
    if (previous === "started" || previous === "starting") return { previous_state: previous };
    setState(machine, "starting");
    later(transitionMs, () => {
      if (machine.state !== "starting") return;
      setState(machine, faults.failStart.has(machine.id) ? "failed" : "started");
    });
    return { previous_state: previous };
  }

  function stopMachine(machine: FakeMachine): void {
    if (machine.state === "destroying" || machine.state === "destroyed") {
      throw new HttpError(412, `machine is ${machine.state}`);
    }
    if (machine.state !== "started" && machine.state !== "starting") return;
    setState(machine, "stopping");
    later(transitionMs, () => {
      if (machine.state === "stopping") setState(machine, "stopped");
    });
  }

  function destroyMachine(machine: FakeMachine, force: boolean): void {
    if (machine.state === "destroyed") throw new HttpError(404, "machine not found");
    if (!force && (machine.state === "started" || machine.state === "starting")) {
      throw new HttpError(
        412,
        "failed_precondition: unable to destroy machine, not currently stopped, suspended or failed",
      );
    }
    if (machine.state === "destroying") return;
    setState(machine, "destroying");
    later(transitionMs, () => setState(machine, "destroyed"));
  }

  async function waitFor(machine: FakeMachine, query: URLSearchParams): Promise<object> {
    const state = query.get("state") ?? "started";
    if (!WAITABLE_STATES.has(state)) throw new HttpError(400, `invalid state "${state}"`);
    const timeout = Number(query.get("timeout") ?? "60");
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > 60) {
      throw new HttpError(400, "timeout must be an integer number of seconds between 1 and 60");
    }
    const instanceId = query.get("instance_id");
    if (instanceId && instanceId !== machine.instance_id) {
      throw new HttpError(400, `instance_id ${instanceId} is not the machine's current version`);
    }
    if (machine.state === state) return { ok: true };
    const reached = await new Promise<boolean>((resolve) => {
      const wake = () => {
        if (machine.state !== state) return;
        waiters.delete(wake);
        resolve(true);
      };
      waiters.add(wake);
      later(timeout * 1000, () => {
        waiters.delete(wake);
        resolve(false);
      });
    });
    if (!reached) throw new HttpError(408, `deadline_exceeded: machine did not reach ${state}`);
    return { ok: true };
  }

  function createVolume(body: Record<string, unknown>): FakeVolume {
    const { name, size_gb: size, region } = body;
    if (typeof name !== "string" || !VOLUME_NAME.test(name)) {
      throw new HttpError(
        400,
        "volume name must be lowercase letters, digits and underscores, at most 30 characters",
      );
    }
    if (typeof size !== "number" || !Number.isInteger(size) || size < 1 || size > 500) {
      throw new HttpError(400, "size_gb must be an integer between 1 and 500");
    }
    const volume: FakeVolume = {
      id: `vol_${randomBytes(10).toString("hex")}`,
      name,
      state: "created",
      size_gb: size,
      region: typeof region === "string" ? region : "iad",
      zone: randomBytes(2).toString("hex"),
      encrypted: body.encrypted !== false,
      attached_machine_id: null,
      created_at: new Date().toISOString(),
    };
    volumes.set(volume.id, volume);
    return volume;
  }

  /** Volumes only grow: a size at or below the current one is refused, as Fly does. */
  function extendVolume(id: string, body: Record<string, unknown>): object {
    const volume = volumes.get(id);
    if (!volume || volume.state === "destroyed") throw new HttpError(404, "volume not found");
    const size = body.size_gb;
    if (typeof size !== "number" || !Number.isInteger(size) || size > 500) {
      throw new HttpError(400, "size_gb must be an integer of at most 500");
    }
    if (size <= volume.size_gb) {
      throw new HttpError(400, `size_gb must be greater than the current size (${volume.size_gb})`);
    }
    volume.size_gb = size;
    const machine = volume.attached_machine_id ? machines.get(volume.attached_machine_id) : null;
    return { volume, needs_restart: machine?.state === "started" };
  }

  function deleteVolume(id: string): FakeVolume {
    const volume = volumes.get(id);
    if (!volume || volume.state === "destroyed") throw new HttpError(404, "volume not found");
    if (volume.attached_machine_id) {
      throw new HttpError(
        412,
        `failed_precondition: volume is attached to machine ${volume.attached_machine_id}`,
      );
    }
    volume.state = "destroyed";
    return volume;
  }

  async function route(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: Record<string, unknown>,
  ): Promise<[number, unknown]> {
    const method = req.method ?? "GET";
    const machineRoute = MACHINE_ROUTE.exec(url.pathname);
    const volumeRoute = VOLUME_ROUTE.exec(url.pathname);
    const routedApp = machineRoute?.[1] ?? volumeRoute?.[1];
    if (routedApp === undefined) throw new HttpError(404, "not found");
    if (decodeURIComponent(routedApp) !== app) throw new HttpError(404, "app not found");
    if (machineRoute) {
      const [, , id, action] = machineRoute;
      if (!id) {
        if (method === "GET") {
          const all = url.searchParams.get("include_deleted") === "true";
          const filters = faults.ignoreMetadataFilter
            ? []
            : [...url.searchParams].filter(([key]) => key.startsWith("metadata."));
          return [
            200,
            [...machines.values()].filter(
              (m) =>
                (all || m.state !== "destroyed") &&
                filters.every(([key, value]) => m.config.metadata?.[key.slice(9)] === value),
            ),
          ];
        }
        if (method === "POST") {
          const machine = createMachine(body);
          if (faults.holdMachineCreate > 0) {
            faults.holdMachineCreate--;
            // Created, but the answer never leaves (the client dies or gives up first).
            await new Promise(() => {});
          }
          return [200, machine];
        }
      } else {
        const machine = machineOf(decodeURIComponent(id));
        if (!action && method === "GET") return [200, machine];
        if (!action && method === "POST") {
          updateMachine(machine, body);
          if (faults.holdMachineUpdate > 0) {
            faults.holdMachineUpdate--;
            await new Promise(() => {});
          }
          return [200, machine];
        }
        if (!action && method === "DELETE") {
          if (faults.refuseDestroy) {
            throw new HttpError(
              409,
              "unable to destroy machine: a lease is held by another client",
            );
          }
          destroyMachine(machine, url.searchParams.get("force") === "true");
          return [200, { ok: true }];
        }
        if (action === "start" && method === "POST") {
          return [200, { ...startMachine(machine), migrated: false, new_host: "" }];
        }
        if (action === "stop" && method === "POST") {
          stopMachine(machine);
          return [200, { ok: true }];
        }
        if (action === "wait" && method === "GET")
          return [200, await waitFor(machine, url.searchParams)];
      }
    } else if (volumeRoute) {
      const [, , id, verb] = volumeRoute;
      if (id && verb === "extend" && method === "PUT") {
        const extended = extendVolume(decodeURIComponent(id), body);
        if (faults.holdVolumeExtend > 0) {
          faults.holdVolumeExtend--;
          await new Promise(() => {});
        }
        return [200, extended];
      }
      if (!id && method === "GET") {
        return [200, [...volumes.values()].filter((v) => v.state !== "destroyed")];
      }
      if (!id && method === "POST") {
        const volume = createVolume(body);
        if (faults.volumeCreateHangs > 0) {
          faults.volumeCreateHangs--;
          // Created, but the answer is lost: held past the client's timeout, or forever.
          if (faults.volumeCreateHangMs === null) await new Promise(() => {});
          else await pause(faults.volumeCreateHangMs);
        }
        return [200, volume];
      }
      if (id && method === "GET") {
        const volume = volumes.get(decodeURIComponent(id));
        if (!volume) throw new HttpError(404, "volume not found");
        return [200, volume];
      }
      if (id && method === "DELETE") return [200, deleteVolume(decodeURIComponent(id))];
    }
    res.setHeader("allow", "GET, POST, PUT, DELETE");
    throw new HttpError(405, "method not allowed");
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const call: FlyFakeCall = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      status: 0,
      at: Date.now(),
      answeredAt: null,
    };
    calls.push(call);
    let status = 500;
    let payload: unknown;
    try {
      const body = await readBody(req);
      if (Object.keys(body).length > 0) call.body = body;
      if (faults.latencyMs > 0) await pause(faults.latencyMs);
      if (req.headers.authorization !== `Bearer ${token}`) {
        throw new HttpError(401, "unauthorized: a valid Bearer token is required");
      }
      const url = new URL(req.url ?? "/", "http://fly.fake");
      injectFault(res, call.method, url.pathname);
      [status, payload] = await route(req, res, url, body);
    } catch (error) {
      status = error instanceof HttpError ? error.status : 500;
      payload = { error: error instanceof Error ? error.message : "internal error" };
    }
    call.status = status;
    call.answeredAt = Date.now();
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(payload));
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  server.listen(options.port ?? 0, options.host ?? "127.0.0.1");
  await once(server, "listening");
  const { address, port } = server.address() as AddressInfo;
  let refusing = false;
  const host = address.includes(":") ? `[${address}]` : address;

  return {
    url: `http://${host}:${port}`,
    token,
    app,
    machines,
    volumes,
    calls,
    faults,
    limits,
    async setOutage(kind) {
      faults.unavailable = kind === "unavailable";
      if (kind === "refused" && !refusing) {
        refusing = true;
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      } else if (kind !== "refused" && refusing) {
        refusing = false;
        server.listen(port, address);
        await once(server, "listening");
      }
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      if (refusing) return;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function checkGuest(guest: FakeMachine["config"]["guest"] | undefined): void {
  if (!guest) return;
  if (guest.cpu_kind !== "shared" && guest.cpu_kind !== "performance") {
    throw new HttpError(400, `invalid guest.cpu_kind "${guest.cpu_kind}"`);
  }
  if (![1, 2, 4, 6, 8, 16].includes(guest.cpus)) {
    throw new HttpError(400, `invalid guest.cpus ${guest.cpus}`);
  }
  if (!Number.isInteger(guest.memory_mb) || guest.memory_mb % 256 !== 0) {
    throw new HttpError(400, "invalid guest.memory_mb: must be a multiple of 256");
  }
  if (guest.gpu_kind && guest.cpu_kind !== "performance") {
    throw new HttpError(400, "a GPU needs guest.cpu_kind performance");
  }
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
  } catch {
    throw new HttpError(400, "malformed JSON body");
  }
}
