/**
 * The hardware policy (CONTRACT §4): the one validator shared by the REST shim and GraphQL.
 *
 * - `hardwareRequestSchema` checks the *shape* of a hardware object on the wire (types, unknown keys).
 * - `resolveHardware` merges request → user's default_hardware → system default and checks every
 *   rule on the merged result, reporting each failed rule with its field and a human message.
 *
 * All human-readable messages are built in one place: `problemMessage`.
 */
import { z } from "zod";

export const CPU_KINDS = ["shared", "performance"] as const;
export type CpuKind = (typeof CPU_KINDS)[number];

export const CPU_COUNTS = [1, 2, 4, 6, 8] as const;

/** Absolute memory bounds, whatever the cpu kind and count. */
export const MEMORY_MB_MIN = 256;
export const MEMORY_MB_MAX = 16384;

export const VOLUME_SIZE_GB_MIN = 1;
export const VOLUME_SIZE_GB_MAX = 500;

/** Per-kind memory rule: a multiple of `step`, between `minPerCpu`×cpus and `maxPerCpu`×cpus. */
export const MEMORY_RULES: Readonly<
  Record<CpuKind, Readonly<{ step: number; minPerCpu: number; maxPerCpu: number }>>
> = {
  shared: { step: 256, minPerCpu: 256, maxPerCpu: 2048 },
  performance: { step: 1024, minPerCpu: 2048, maxPerCpu: 8192 },
};

export interface Hardware {
  cpu_kind: CpuKind;
  cpus: number;
  memory_mb: number;
  volume_size_gb: number;
  gpu_kind: string | null;
}

/** The fields the caller set. `gpu_kind: null` means "no GPU", set explicitly; `undefined` means "not set". */
export type HardwareRequest = Partial<Hardware>;

export const HARDWARE_FIELDS = [
  "cpu_kind",
  "cpus",
  "memory_mb",
  "volume_size_gb",
  "gpu_kind",
] as const satisfies readonly (keyof Hardware)[];
export type HardwareField = (typeof HARDWARE_FIELDS)[number];

export const SYSTEM_DEFAULT_HARDWARE: Readonly<Hardware> = Object.freeze({
  cpu_kind: "shared",
  cpus: 2,
  memory_mb: 2048,
  volume_size_gb: 10,
  gpu_kind: null,
});

export interface FieldIssue {
  field: string;
  message: string;
}

/** Where a merged value came from. */
export type HardwareValueSource = "request" | "default_hardware" | "system_default";

export interface MemoryRange {
  step: number;
  min: number;
  max: number;
}

function isCpuKind(value: unknown): value is CpuKind {
  return (CPU_KINDS as readonly unknown[]).includes(value);
}

function isCpuCount(value: unknown): value is (typeof CPU_COUNTS)[number] {
  return (CPU_COUNTS as readonly unknown[]).includes(value);
}

/**
 * The allowed memory_mb values as a range of multiples of `step`.
 * - valid kind and cpus: that kind's range for that many cpus, capped by the absolute bounds;
 * - valid kind, unknown/invalid cpus: the union of that kind's ranges over every valid cpus count;
 * - invalid kind: the absolute bounds, in multiples of 256 (every valid value is one).
 */
export function memoryRange(cpuKind: unknown, cpus: unknown): MemoryRange {
  if (!isCpuKind(cpuKind)) {
    const step = Math.min(...Object.values(MEMORY_RULES).map((rule) => rule.step));
    return { step, min: MEMORY_MB_MIN, max: MEMORY_MB_MAX };
  }
  const rule = MEMORY_RULES[cpuKind];
  const counts: readonly number[] = isCpuCount(cpus) ? [cpus] : CPU_COUNTS;
  const min = Math.max(MEMORY_MB_MIN, Math.min(...counts.map((n) => rule.minPerCpu * n)));
  const max = Math.min(MEMORY_MB_MAX, Math.max(...counts.map((n) => rule.maxPerCpu * n)));
  return { step: rule.step, min, max };
}

// ---------------------------------------------------------------------------------------------
// Messages: the one place where human-readable texts are built.
// ---------------------------------------------------------------------------------------------

interface Sourced {
  value: unknown;
  source: HardwareValueSource;
}

type Problem =
  | { rule: "cpu_kind"; got: Sourced }
  | { rule: "cpus"; got: Sourced }
  | { rule: "memory_mb"; got: Sourced; cpuKind: unknown; cpus: unknown }
  | { rule: "memory_mb_type"; got: Sourced }
  | { rule: "volume_size_gb"; got: Sourced }
  | { rule: "gpu_kind"; got: Sourced; gpuKinds: readonly string[] }
  | { rule: "gpu_kind_type"; got: Sourced }
  | { rule: "gpu_needs_performance"; got: Sourced; cpuKind: Sourced }
  | { rule: "hardware_object"; got: Sourced };

/** A value as a human reads it; strings given for numbers are called out as strings. */
function describeValue(value: unknown, expected: "number" | "string" = "string"): string {
  if (typeof value === "string") {
    return expected === "number" ? `the string ${JSON.stringify(value)}` : JSON.stringify(value);
  }
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "bigint") return `${value}n`;
  return String(value);
}

function sourceNote(source: HardwareValueSource): string {
  switch (source) {
    case "request":
      return "";
    case "default_hardware":
      return ", from your default_hardware";
    case "system_default":
      return ", from the system default";
  }
}

function got(sourced: Sourced, expected: "number" | "string" = "string"): string {
  return `${describeValue(sourced.value, expected)}${sourceNote(sourced.source)}`;
}

function alternatives(values: readonly (string | number)[]): string {
  const shown = values.map((v) => (typeof v === "string" ? JSON.stringify(v) : String(v)));
  if (shown.length === 1) return shown[0] ?? "";
  if (shown.length === 2) return `${shown[0]} or ${shown[1]}`;
  return `one of ${shown.join(", ")}`;
}

function problemField(problem: Problem): HardwareField | null {
  switch (problem.rule) {
    case "cpu_kind":
    case "cpus":
    case "volume_size_gb":
      return problem.rule;
    case "memory_mb":
    case "memory_mb_type":
      return "memory_mb";
    case "gpu_kind":
    case "gpu_kind_type":
    case "gpu_needs_performance":
      return "gpu_kind";
    case "hardware_object":
      return null;
  }
}

function problemMessage(problem: Problem): string {
  switch (problem.rule) {
    case "cpu_kind":
      return `cpu_kind must be ${alternatives(CPU_KINDS)} (got ${got(problem.got)})`;
    case "cpus":
      return `cpus must be ${alternatives(CPU_COUNTS)} (got ${got(problem.got, "number")})`;
    case "memory_mb": {
      const { step, min, max } = memoryRange(problem.cpuKind, problem.cpus);
      const kind = isCpuKind(problem.cpuKind) ? problem.cpuKind : null;
      const cpus = isCpuCount(problem.cpus) ? problem.cpus : null;
      const context =
        kind === null
          ? ""
          : cpus === null
            ? ` for ${kind} cpus`
            : ` for ${cpus} ${kind} ${cpus === 1 ? "cpu" : "cpus"}`;
      const allowed = min === max ? `${min}` : `a multiple of ${step} between ${min} and ${max}`;
      return `memory_mb must be ${allowed}${context} (got ${got(problem.got, "number")})`;
    }
    case "memory_mb_type":
      return `memory_mb must be a whole number of MB (got ${got(problem.got, "number")})`;
    case "volume_size_gb":
      return `volume_size_gb must be a whole number between ${VOLUME_SIZE_GB_MIN} and ${VOLUME_SIZE_GB_MAX} (got ${got(problem.got, "number")})`;
    case "gpu_kind":
      return problem.gpuKinds.length === 0
        ? `gpu_kind must be null: no GPU kinds are on offer (got ${got(problem.got)})`
        : `gpu_kind must be null or ${alternatives(problem.gpuKinds)} (got ${got(problem.got)})`;
    case "gpu_kind_type":
      return `gpu_kind must be a string or null (got ${got(problem.got)})`;
    case "gpu_needs_performance":
      return `gpu_kind must be null unless cpu_kind is "performance" (got ${got(problem.got)}; cpu_kind is ${got(problem.cpuKind)})`;
    case "hardware_object":
      return `hardware must be an object with any of the fields ${HARDWARE_FIELDS.join(", ")} (got ${got(problem.got)})`;
  }
}

function joinField(prefix: string | undefined, path: readonly PropertyKey[]): string {
  let field = prefix ?? "";
  for (const segment of path) {
    if (typeof segment === "number") field += `[${segment}]`;
    else field += field === "" ? String(segment) : `.${String(segment)}`;
  }
  return field;
}

function toFieldIssue(problem: Problem, prefix: string): FieldIssue {
  const field = problemField(problem);
  return {
    field: joinField(prefix, field === null ? [] : [field]),
    message: problemMessage(problem),
  };
}

// ---------------------------------------------------------------------------------------------
// Wire schema
// ---------------------------------------------------------------------------------------------

const fromWire = (value: unknown): Sourced => ({ value, source: "request" });

/**
 * A hardware object on the wire (snake_case). Checks types only (strict: unknown keys rejected;
 * every field optional; integers are integers, not strings or fractions). The rules that depend
 * on the merged result (ranges, cpu/memory interplay, GPUs on offer) are `resolveHardware`'s job,
 * so every failed rule is reported in one go.
 */
export const hardwareRequestSchema = z
  .strictObject(
    {
      cpu_kind: z
        .enum(CPU_KINDS, {
          error: (issue) => problemMessage({ rule: "cpu_kind", got: fromWire(issue.input) }),
        })
        .optional()
        .describe(
          'CPU kind: "shared" or "performance". Omitted: your default_hardware, then "shared".',
        ),
      cpus: z
        .int({ error: (issue) => problemMessage({ rule: "cpus", got: fromWire(issue.input) }) })
        .optional()
        .describe("Number of CPUs: 1, 2, 4, 6 or 8. Omitted: your default_hardware, then 2."),
      memory_mb: z
        .int({
          error: (issue) => problemMessage({ rule: "memory_mb_type", got: fromWire(issue.input) }),
        })
        .optional()
        .describe(
          "Memory in MB, 256 to 16384. shared: a multiple of 256 between 256×cpus and 2048×cpus; " +
            "performance: a multiple of 1024 between 2048×cpus and 8192×cpus. " +
            "Omitted: your default_hardware, then 2048.",
        ),
      volume_size_gb: z
        .int({
          error: (issue) => problemMessage({ rule: "volume_size_gb", got: fromWire(issue.input) }),
        })
        .optional()
        .describe("Volume size in GB, 1 to 500. Omitted: your default_hardware, then 10."),
      gpu_kind: z
        .string({
          error: (issue) => problemMessage({ rule: "gpu_kind_type", got: fromWire(issue.input) }),
        })
        .nullable()
        .optional()
        .describe(
          "GPU kind, one of those on offer (GPU_KINDS), or null for no GPU. A GPU needs " +
            'cpu_kind "performance". Omitted: your default_hardware, then null.',
        ),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? undefined
          : problemMessage({ rule: "hardware_object", got: fromWire(issue.input) }),
    },
  )
  .describe(
    "Workspace hardware. Fields left out are taken from your default_hardware, then from the " +
      "system default {cpu_kind: shared, cpus: 2, memory_mb: 2048, volume_size_gb: 10, gpu_kind: null}.",
  ) satisfies z.ZodType<HardwareRequest>;

/**
 * Turn a zod error into field issues, each field prefixed: prefix "hardware" → "hardware.cpus";
 * an unknown key gives one issue per key ("hardware.foo"). An issue at the root gets the prefix
 * itself as its field ("" when there is no prefix). Works for any zod schema, not only hardware.
 */
export function issuesFromZodError(error: z.ZodError, prefix?: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        issues.push({
          field: joinField(prefix, [...issue.path, key]),
          message: `unknown field "${key}"`,
        });
      }
    } else {
      issues.push({ field: joinField(prefix, issue.path), message: issue.message });
    }
  }
  return issues;
}

// ---------------------------------------------------------------------------------------------
// Merge and validate
// ---------------------------------------------------------------------------------------------

export interface ResolveHardwareOptions {
  /** GPU kinds on offer (GPU_KINDS); empty means no GPUs. */
  gpuKinds: readonly string[];
  /** Prefix of every issue's field; default "hardware". "" gives bare field names. */
  fieldPrefix?: string;
}

export type HardwareResolution =
  | { ok: true; hardware: Hardware }
  | { ok: false; issues: FieldIssue[] };

/**
 * Merge request → user defaults → system default (per field; `undefined` means "not set",
 * `gpu_kind: null` is a value and overrides a default GPU), then check every rule on the merged
 * result. Every failed rule is reported with its field and a message stating the allowed values
 * and, when the value did not come from the request, where it came from.
 *
 * Values are re-checked at run time, so a typed request (GraphQL) or a stored default that was
 * never through `hardwareRequestSchema` cannot slip a wrong type through; null is accepted only
 * for gpu_kind.
 */
export function resolveHardware(
  request: HardwareRequest | null | undefined,
  userDefaults: HardwareRequest | null | undefined,
  options: ResolveHardwareOptions,
): HardwareResolution {
  const prefix = options.fieldPrefix ?? "hardware";
  const pick = (field: HardwareField): Sourced => {
    const fromRequest: unknown = request?.[field];
    if (fromRequest !== undefined) return { value: fromRequest, source: "request" };
    const fromDefaults: unknown = userDefaults?.[field];
    if (fromDefaults !== undefined) return { value: fromDefaults, source: "default_hardware" };
    return { value: SYSTEM_DEFAULT_HARDWARE[field], source: "system_default" };
  };

  const cpuKind = pick("cpu_kind");
  const cpus = pick("cpus");
  const memory = pick("memory_mb");
  const volume = pick("volume_size_gb");
  const gpu = pick("gpu_kind");

  const problems: Problem[] = [];

  if (!isCpuKind(cpuKind.value)) problems.push({ rule: "cpu_kind", got: cpuKind });
  if (!isCpuCount(cpus.value)) problems.push({ rule: "cpus", got: cpus });

  // With an invalid kind or count, memoryRange falls back to the widest range that is still
  // true, so the absolute caps and multiples are checked without inventing bounds.
  const range = memoryRange(cpuKind.value, cpus.value);
  const memoryValue = memory.value;
  if (
    typeof memoryValue !== "number" ||
    !Number.isInteger(memoryValue) ||
    memoryValue < range.min ||
    memoryValue > range.max ||
    memoryValue % range.step !== 0
  ) {
    problems.push({ rule: "memory_mb", got: memory, cpuKind: cpuKind.value, cpus: cpus.value });
  }

  const volumeValue = volume.value;
  if (
    typeof volumeValue !== "number" ||
    !Number.isInteger(volumeValue) ||
    volumeValue < VOLUME_SIZE_GB_MIN ||
    volumeValue > VOLUME_SIZE_GB_MAX
  ) {
    problems.push({ rule: "volume_size_gb", got: volume });
  }

  const gpuValue = gpu.value;
  if (gpuValue !== null) {
    if (typeof gpuValue !== "string" || !options.gpuKinds.includes(gpuValue)) {
      problems.push({ rule: "gpu_kind", got: gpu, gpuKinds: options.gpuKinds });
    }
    // A GPU needs performance cpus. Not checked when cpu_kind itself is invalid (already reported)
    // or gpu_kind is not even a string.
    if (typeof gpuValue === "string" && cpuKind.value === "shared") {
      problems.push({ rule: "gpu_needs_performance", got: gpu, cpuKind });
    }
  }

  if (problems.length > 0) {
    return { ok: false, issues: problems.map((problem) => toFieldIssue(problem, prefix)) };
  }
  return {
    ok: true,
    hardware: {
      cpu_kind: cpuKind.value as CpuKind,
      cpus: cpus.value as number,
      memory_mb: memoryValue as number,
      volume_size_gb: volumeValue as number,
      gpu_kind: gpuValue as string | null,
    },
  };
}
