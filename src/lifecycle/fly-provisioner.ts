/**
 * The Fly Machines provisioner: what each lifecycle step asks of the Machines API. The HTTP
 * calls themselves (retries, backoff, Retry-After, timeouts, redaction) are fly-api.ts's.
 * Longer than most files here: the steps, the look-ups that make them idempotent and the
 * waits they share form one unit around one API client and its settings.
 */
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { createFlyApi, FlyApiError, type FlyLogger, TransientFailure } from "./fly-api.js";
import type { MachineSpec, Provisioner } from "./provisioner.js";

export type { FlyLogger } from "./fly-api.js";

export interface FlyProvisionerOptions {
  /** A Fly API token that may manage `appName` (FLY_API_TOKEN). Never logged, never in a message. */
  apiToken: string;
  /** The Fly app the workspace machines live in (FLY_APP_NAME). */
  appName: string;
  /** The Machines API (FLY_API_BASE_URL); default `https://api.machines.dev`. */
  baseUrl?: string;
  /** Where machines and volumes are placed (FLY_REGION), e.g. `iad`. */
  region: string;
  /** The workspace image every machine boots (WORKSPACE_IMAGE). */
  image: string;
  /** Where the workspace volume is mounted inside the machine; default `/workspace`. */
  mountPath?: string;
  /** Time allowed for one API call (a `wait` gets its own timeout on top); default 15 s. */
  callTimeoutMs?: number;
  /** Retries of one call after a transient failure (429, 408, 5xx, network, timeout); default 5. */
  maxRetries?: number;
  /** First backoff delay; it doubles per retry, with jitter; default 250 ms. */
  backoffBaseMs?: number;
  /** Longest delay between two retries, Retry-After included; default 30 s. */
  maxBackoffMs?: number;
  /** The `timeout` of one `wait` call, in seconds (Fly allows at most 60); default 60. */
  waitTimeoutSeconds?: number;
  /** How long a machine may take to reach `started`, `stopped` or `destroyed`; default 5 min. */
  stateTimeoutMs?: number;
  logger?: FlyLogger;
  /** Paces calls under the documented rate limits (fly-rate-limits.ts); default true. */
  pace?: boolean;
}

/** The parts of a Fly machine this driver reads. */
export interface FlyMachine {
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
  };
}

/** The parts of a Fly volume this driver reads. */
export interface FlyVolume {
  id: string;
  name: string;
  state: string;
  size_gb: number;
  region: string;
  attached_machine_id: string | null;
}

type MachineState = "started" | "stopped" | "destroyed";

function guestOf(spec: MachineSpec): FlyMachine["config"]["guest"] {
  return {
    cpu_kind: spec.cpuKind,
    cpus: spec.cpus,
    memory_mb: spec.memoryMb,
    ...(spec.gpuKind ? { gpu_kind: spec.gpuKind } : {}),
  };
}

function sameGuest(a: FlyMachine["config"]["guest"], b: FlyMachine["config"]["guest"]): boolean {
  return (
    a.cpu_kind === b.cpu_kind &&
    a.cpus === b.cpus &&
    a.memory_mb === b.memory_mb &&
    (a.gpu_kind ?? null) === (b.gpu_kind ?? null)
  );
}

/** The volume a machine mounts (one per workspace machine), read from its config. */
function mountedVolume(machine: FlyMachine): string | undefined {
  return machine.config.mounts?.[0]?.volume;
}

/**
 * The metadata key that ties a machine to its workspace: the look-up before any create lists
 * machines with the API's documented filter on it (`?metadata.workspace_id=…`).
 */
export const WORKSPACE_METADATA_KEY = "workspace_id";

/**
 * The volume size the machine was last configured for, in its metadata: a start compares it
 * with the workspace's and reads the volume only when they differ (a resize to apply).
 */
export const VOLUME_SIZE_METADATA_KEY = "volume_size_gb";

/** The machine's name: readable in `fly machine list`, fixed per workspace. */
export function flyMachineName(workspaceId: string): string {
  return `ws-${workspaceId}`;
}

/**
 * The volume's name, fixed per workspace. Fly allows only lowercase letters, digits and
 * underscores, at most 30 characters, so a UUID does not fit: a digest of it does (108 bits).
 */
export function flyVolumeName(workspaceId: string): string {
  const digest = createHash("sha256").update(workspaceId).digest("hex");
  return `ws_${digest.slice(0, 27)}`;
}

/** A failure already worded for the user (a machine that would not start, or stop). */
class UserFacingError extends Error {
  override name = "FlyProvisionerError";
}

const GONE_VOLUME = /destroy|delet/;
const GONE_MACHINE = new Set(["destroying", "destroyed"]);
const RUNNING = new Set(["started", "starting"]);
/** States in which a machine waited on for `started` will not get there by itself. */
const NOT_STARTING = new Set(["failed", "stopped", "suspended", "destroying", "destroyed"]);

/**
 * A provisioner backed by Fly Machines: one machine and one volume per workspace, both named
 * from the workspace id and found by lookup before anything is created, so a step repeated
 * after a crash or a lost answer never makes a second one. Transient failures (429 with its
 * Retry-After, 408, 5xx, network errors, timeouts) are retried with jittered backoff; all calls
 * of one provisioner pause together while the API asks for it. Failures reject with a message
 * for the user; the token never appears in messages or logs.
 */
export function createFlyProvisioner(options: FlyProvisionerOptions): Provisioner {
  const settings = {
    baseUrl: (options.baseUrl ?? "https://api.machines.dev").replace(/\/+$/, ""),
    mountPath: options.mountPath ?? "/workspace",
    callTimeoutMs: options.callTimeoutMs ?? 15_000,
    maxRetries: options.maxRetries ?? 5,
    backoffBaseMs: options.backoffBaseMs ?? 250,
    maxBackoffMs: options.maxBackoffMs ?? 30_000,
    waitTimeoutSeconds: Math.min(60, Math.max(1, Math.round(options.waitTimeoutSeconds ?? 60))),
    stateTimeoutMs: options.stateTimeoutMs ?? 300_000,
  };
  const { apiToken, appName, region, image } = options;
  const log = options.logger;
  const { call, backoffMs, redact } = createFlyApi({
    ...settings,
    apiToken,
    logger: log,
    pace: options.pace,
  });
  const appPath = `/v1/apps/${encodeURIComponent(appName)}`;
  // --- lookups -------------------------------------------------------------------------------

  /**
   * The workspace's machine, if any; `destroying` ones only when asked (a destroy finishing).
   * The API filters on the metadata; the answer is checked again here, so an API that ignores
   * the filter costs a longer answer (the full list), never a wrong machine.
   */
  async function findMachine(
    spec: MachineSpec,
    signal: AbortSignal,
    { includeDestroying = false } = {},
  ): Promise<FlyMachine | null> {
    const { data } = await call<FlyMachine[]>(
      {
        method: "GET",
        path: `${appPath}/machines`,
        query: { [`metadata.${WORKSPACE_METADATA_KEY}`]: spec.workspaceId },
      },
      signal,
    );
    const mine = (Array.isArray(data) ? data : []).filter(
      (machine) =>
        machine.config?.metadata?.[WORKSPACE_METADATA_KEY] === spec.workspaceId &&
        machine.state !== "destroyed" &&
        (includeDestroying || machine.state !== "destroying"),
    );
    return mine[0] ?? null;
  }

  async function getMachine(machineId: string, signal: AbortSignal): Promise<FlyMachine | null> {
    const { status, data } = await call<FlyMachine>(
      { method: "GET", path: machinePath(machineId), accept: [404] },
      signal,
    );
    return status === 404 ? null : data;
  }

  async function getVolume(volumeId: string, signal: AbortSignal): Promise<FlyVolume | null> {
    const { status, data } = await call<FlyVolume>(
      { method: "GET", path: volumePath(volumeId), accept: [404] },
      signal,
    );
    return status === 404 || GONE_VOLUME.test(data.state) ? null : data;
  }

  /** Every volume of the app, by name: only where no step has reported the volume id yet. */
  async function findVolumes(spec: MachineSpec, signal: AbortSignal): Promise<FlyVolume[]> {
    const name = flyVolumeName(spec.workspaceId);
    const { data } = await call<FlyVolume[]>({ method: "GET", path: `${appPath}/volumes` }, signal);
    return (Array.isArray(data) ? data : []).filter(
      (volume) => volume.name === name && !GONE_VOLUME.test(volume.state),
    );
  }

  function machinePath(machineId: string): string {
    return `${appPath}/machines/${encodeURIComponent(machineId)}`;
  }

  function volumePath(volumeId: string): string {
    return `${appPath}/volumes/${encodeURIComponent(volumeId)}`;
  }

  /**
   * Looks up, then creates; a create whose answer was lost (timeout, 5xx, network) may have
   * happened, so it is never repeated blindly: the next round looks up again first.
   */
  async function findOrCreate<T>(
    find: () => Promise<T | null>,
    create: () => Promise<T>,
    signal: AbortSignal,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const found = await find();
      if (found) return found;
      try {
        return await create();
      } catch (error) {
        if (!(error instanceof TransientFailure) || attempt > settings.maxRetries) throw error;
        await sleep(backoffMs(attempt), undefined, { signal });
      }
    }
  }

  async function ensureVolume(spec: MachineSpec, signal: AbortSignal): Promise<FlyVolume> {
    return findOrCreate(
      async () => (await findVolumes(spec, signal))[0] ?? null,
      async () => {
        const { data } = await call<FlyVolume>(
          {
            method: "POST",
            path: `${appPath}/volumes`,
            body: { name: flyVolumeName(spec.workspaceId), region, size_gb: spec.volumeSizeGb },
            retries: 0,
          },
          signal,
        );
        log?.info({ workspaceId: spec.workspaceId, volumeId: data.id }, "fly: created a volume");
        return data;
      },
      signal,
    );
  }

  function machineConfig(spec: MachineSpec, volume: FlyVolume) {
    return {
      image,
      guest: guestOf(spec),
      mounts: [{ volume: volume.id, path: settings.mountPath }],
      metadata: {
        [WORKSPACE_METADATA_KEY]: spec.workspaceId,
        project_id: spec.projectId,
        [VOLUME_SIZE_METADATA_KEY]: String(spec.volumeSizeGb),
      },
    };
  }

  /**
   * A resize made while the workspace was stopped, applied before its start: the volume grows
   * (`extend`; Fly volumes only grow), then the machine gets the new guest and records the new
   * size, without launching (`skip_launch`). Each part reads before it writes, and a write whose
   * answer was lost is re-read rather than repeated, so a start repeated after a crash applies
   * nothing twice. Resolves with the machine as it is now (an update gives it a new instance).
   */
  async function applyHardware(
    machine: FlyMachine,
    spec: MachineSpec,
    volumeId: string | null,
    signal: AbortSignal,
  ): Promise<FlyMachine> {
    // A running machine keeps what it runs; the service resizes only stopped workspaces.
    if (RUNNING.has(machine.state)) return machine;
    const sizeRecorded = machine.config.metadata?.[VOLUME_SIZE_METADATA_KEY];
    const wantedSize = String(spec.volumeSizeGb);
    if (sizeRecorded !== wantedSize && volumeId) {
      await findOrCreate(
        async () => {
          const volume = await getVolume(volumeId, signal);
          if (!volume) throw new UserFacingError(`the volume ${volumeId} no longer exists at Fly`);
          return volume.size_gb >= spec.volumeSizeGb ? volume : null;
        },
        async () => {
          const { data } = await call<{ volume: FlyVolume }>(
            {
              method: "PUT",
              path: `${volumePath(volumeId)}/extend`,
              body: { size_gb: spec.volumeSizeGb },
              retries: 0,
            },
            signal,
          );
          log?.info(
            { workspaceId: spec.workspaceId, volumeId, sizeGb: spec.volumeSizeGb },
            "fly: extended a volume",
          );
          return data.volume;
        },
        signal,
      );
    }
    const wanted = guestOf(spec);
    let known: FlyMachine | null = machine;
    return findOrCreate(
      async () => {
        const now = known ?? (await getMachine(machine.id, signal));
        known = null;
        if (!now) throw new UserFacingError(`the machine ${machine.id} no longer exists at Fly`);
        const done =
          sameGuest(now.config.guest, wanted) &&
          now.config.metadata?.[VOLUME_SIZE_METADATA_KEY] === wantedSize;
        return done ? now : null;
      },
      async () => {
        const config = {
          ...machine.config,
          guest: wanted,
          metadata: { ...machine.config.metadata, [VOLUME_SIZE_METADATA_KEY]: wantedSize },
        };
        const { data } = await call<FlyMachine>(
          {
            method: "POST",
            path: machinePath(machine.id),
            body: { config, region: machine.region, skip_launch: true },
            retries: 0,
          },
          signal,
        );
        log?.info(
          { workspaceId: spec.workspaceId, machineId: machine.id, guest: wanted },
          "fly: updated a machine's hardware",
        );
        return data;
      },
      signal,
    );
  }

  /**
   * Waits with Fly's own long-poll (`wait`, at most 60 s a call) rather than polling; between
   * two waits it reads the machine once, to fail fast when it can no longer get there.
   */
  async function waitForState(
    machine: FlyMachine,
    target: MachineState,
    signal: AbortSignal,
  ): Promise<void> {
    const deadline = Date.now() + settings.stateTimeoutMs;
    for (;;) {
      const remainingS = Math.ceil((deadline - Date.now()) / 1000);
      if (remainingS <= 0) {
        throw new UserFacingError(
          `the machine did not become ${target} within ${Math.round(settings.stateTimeoutMs / 1000)} s (Fly machine ${machine.id}); try again, or look at \`fly machine status ${machine.id} -a ${appName}\``,
        );
      }
      const timeoutS = Math.min(settings.waitTimeoutSeconds, remainingS);
      const { status } = await call(
        {
          method: "GET",
          path: `${machinePath(machine.id)}/wait`,
          query: { state: target, timeout: String(timeoutS), instance_id: machine.instance_id },
          accept: [404, 408],
          extraTimeoutMs: timeoutS * 1000,
        },
        signal,
      );
      if (status === 404) {
        if (target === "destroyed") return;
        throw new UserFacingError(`the machine ${machine.id} no longer exists at Fly`);
      }
      if (status !== 408) return;
      const now = await getMachine(machine.id, signal);
      if (now?.state === target || (!now && target === "destroyed")) return;
      if (target === "started" && (!now || NOT_STARTING.has(now.state))) {
        throw new UserFacingError(
          `the machine did not start: Fly reports it as "${now?.state ?? "gone"}" (machine ${machine.id}, image ${image}); check the image and the machine's logs with \`fly logs -a ${appName} -i ${machine.id}\``,
        );
      }
    }
  }

  /** Runs one step; turns internal failures into a message for the user (no token, no stack). */
  async function step<T>(what: string, signal: AbortSignal, run: () => Promise<T>): Promise<T> {
    try {
      signal.throwIfAborted();
      return await run();
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new UserFacingError(redact(userMessage(what, error)), { cause: error });
    }
  }

  function userMessage(what: string, error: unknown): string {
    if (error instanceof UserFacingError) return error.message;
    if (error instanceof TransientFailure) {
      return `the Fly Machines API was unavailable while ${what} (${error.reason}; ${error.attempts} attempts); the step can be tried again`;
    }
    if (error instanceof FlyApiError) {
      if (error.status === 401 || error.status === 403) {
        return `the Fly Machines API refused the API token (HTTP ${error.status}) while ${what}: check FLY_API_TOKEN and that it may manage the app "${appName}"`;
      }
      if (error.status === 404) {
        return `the Fly app "${appName}" was not found (HTTP 404) while ${what}: check FLY_APP_NAME`;
      }
      if (what.startsWith("creating")) {
        return `the provider refused the machine configuration: ${error.detail} (HTTP ${error.status})`;
      }
      return `the Fly Machines API refused ${what} (HTTP ${error.status}): ${error.detail}`;
    }
    return `unexpected failure of the Fly Machines API while ${what}`;
  }

  return {
    createMachine(spec, signal) {
      return step("creating the machine", signal, async () => {
        const machine = await findOrCreate(
          () => findMachine(spec, signal),
          async () => {
            const volume = await ensureVolume(spec, signal);
            const { data } = await call<FlyMachine>(
              {
                method: "POST",
                path: `${appPath}/machines`,
                body: {
                  name: flyMachineName(spec.workspaceId),
                  region,
                  // Created stopped: the engine's start step boots it.
                  skip_launch: true,
                  config: machineConfig(spec, volume),
                },
                retries: 0,
              },
              signal,
            );
            log?.info(
              { workspaceId: spec.workspaceId, machineId: data.id },
              "fly: created a machine",
            );
            return data;
          },
          signal,
        );
        return { machineId: machine.id, volumeId: mountedVolume(machine) };
      });
    },

    start(machineId, spec, signal) {
      return step("starting the machine", signal, async () => {
        let machine = await getMachine(machineId, signal);
        if (!machine || GONE_MACHINE.has(machine.state)) {
          throw new UserFacingError(
            `the machine ${machineId} no longer exists at Fly; delete this workspace and create a new one`,
          );
        }
        // Known from the workspace, or from the machine's mount: no list of volumes either way.
        const volumeId = spec.volumeId ?? mountedVolume(machine) ?? null;
        if (machine.state !== "started") {
          machine = await applyHardware(machine, spec, volumeId, signal);
          const { data } = await call<{ migrated?: boolean }>(
            { method: "POST", path: `${machinePath(machineId)}/start` },
            signal,
          );
          await waitForState(machine, "started", signal);
          // A start may move the machine to another host, and with it its address.
          if (data?.migrated) machine = (await getMachine(machineId, signal)) ?? machine;
        }
        const privateIp = machine.private_ip;
        if (!privateIp) throw new UserFacingError("the machine started without a private address");
        return { privateIp, volumeId: volumeId ?? undefined };
      });
    },

    stop(machineId, _spec, signal) {
      return step("stopping the machine", signal, async () => {
        const machine = await getMachine(machineId, signal);
        // Nothing running is as stopped as it gets; the next start says if the machine is gone.
        if (!machine) return;
        if (RUNNING.has(machine.state)) {
          await call({ method: "POST", path: `${machinePath(machineId)}/stop` }, signal);
        } else if (machine.state !== "stopping") {
          return;
        }
        await waitForState(machine, "stopped", signal);
      });
    },

    destroy(machineId, spec, signal) {
      return step("deleting the machine", signal, async () => {
        const machine = machineId
          ? await getMachine(machineId, signal)
          : await findMachine(spec, signal, { includeDestroying: true });
        if (machine && machine.state !== "destroyed") {
          // A destroy already under way (a step repeated after a crash) is only waited for.
          if (machine.state !== "destroying") {
            await call(
              {
                method: "DELETE",
                path: machinePath(machine.id),
                query: { force: "true" },
                accept: [404],
              },
              signal,
            );
          }
          // The volume stays attached until the machine is gone.
          await waitForState(machine, "destroyed", signal);
        }
        // By id when the workspace or the machine knows it; listed only when neither does.
        const known = spec.volumeId ?? (machine && mountedVolume(machine));
        const volumeIds = known ? [known] : (await findVolumes(spec, signal)).map((v) => v.id);
        for (const volumeId of volumeIds) {
          await call(
            {
              method: "DELETE",
              path: volumePath(volumeId),
              accept: [404],
              // Fly may take a moment to detach a volume from a machine just destroyed.
              retryOn: [412],
            },
            signal,
          );
        }
      });
    },
  };
}
