/**
 * The hardware rules (CONTRACT §4), once, for REST, GraphQL and the CLI: the numbers, the merge
 * request → user's default hardware → system default, and the check of the merged result. A
 * failed rule is a `HardwareProblem` (field, rule, the value and where it came from); each front
 * door renders problems in its own words with `hardware-messages.ts`.
 */
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

/** A GPU needs this cpu kind. */
export const GPU_CPU_KIND: CpuKind = "performance";

/** A workspace's hardware, named as the database columns and GraphQL name it. */
export interface Hardware {
  cpuKind: CpuKind;
  cpus: number;
  memoryMb: number;
  volumeSizeGb: number;
  gpuKind: string | null;
}

/** The fields the caller set. `gpuKind: null` means "no GPU", set; `undefined` means "not set". */
export type HardwareRequest = Partial<Hardware>;

export const HARDWARE_FIELDS = [
  "cpuKind",
  "cpus",
  "memoryMb",
  "volumeSizeGb",
  "gpuKind",
] as const satisfies readonly (keyof Hardware)[];
export type HardwareField = (typeof HARDWARE_FIELDS)[number];

export const SYSTEM_DEFAULT_HARDWARE: Readonly<Hardware> = Object.freeze({
  cpuKind: "shared",
  cpus: 2,
  memoryMb: 2048,
  volumeSizeGb: 10,
  gpuKind: null,
});

/** Where a merged value came from. */
export type HardwareValueSource = "request" | "default_hardware" | "system_default";

export interface Sourced {
  value: unknown;
  source: HardwareValueSource;
}

/** One failed rule, with what a message needs to say what is allowed. */
export type HardwareProblem =
  | { rule: "cpuKind"; got: Sourced }
  | { rule: "cpus"; got: Sourced }
  | { rule: "memoryMb"; got: Sourced; cpuKind: unknown; cpus: unknown }
  | { rule: "memoryMbType"; got: Sourced }
  | { rule: "volumeSizeGb"; got: Sourced }
  | { rule: "gpuKind"; got: Sourced; gpuKinds: readonly string[] }
  | { rule: "gpuKindType"; got: Sourced }
  | { rule: "gpuNeedsPerformance"; got: Sourced; cpuKind: Sourced }
  | { rule: "hardwareObject"; got: Sourced };

/** The field a problem is about; null for the hardware object as a whole. */
export function problemField(problem: HardwareProblem): HardwareField | null {
  switch (problem.rule) {
    case "cpuKind":
    case "cpus":
    case "memoryMb":
    case "volumeSizeGb":
    case "gpuKind":
      return problem.rule;
    case "memoryMbType":
      return "memoryMb";
    case "gpuKindType":
    case "gpuNeedsPerformance":
      return "gpuKind";
    case "hardwareObject":
      return null;
  }
}

export function isCpuKind(value: unknown): value is CpuKind {
  return (CPU_KINDS as readonly unknown[]).includes(value);
}

export function isCpuCount(value: unknown): value is (typeof CPU_COUNTS)[number] {
  return (CPU_COUNTS as readonly unknown[]).includes(value);
}

export interface MemoryRange {
  step: number;
  min: number;
  max: number;
}

/**
 * The allowed memoryMb values as a range of multiples of `step`.
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

const isWholeNumber = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value);

/**
 * The type of each value the caller set (what a wire schema checks first): a kind is a string,
 * numbers are whole, a GPU kind is a string or null. Ranges are `resolveHardware`'s job.
 */
export function typeProblems(request: HardwareRequest): HardwareProblem[] {
  const problems: HardwareProblem[] = [];
  const set = (value: unknown): Sourced => ({ value, source: "request" });
  const { cpuKind, cpus, memoryMb, volumeSizeGb, gpuKind } = request as Record<string, unknown>;
  if (cpuKind !== undefined && typeof cpuKind !== "string") {
    problems.push({ rule: "cpuKind", got: set(cpuKind) });
  }
  if (cpus !== undefined && !isWholeNumber(cpus)) problems.push({ rule: "cpus", got: set(cpus) });
  if (memoryMb !== undefined && !isWholeNumber(memoryMb)) {
    problems.push({ rule: "memoryMbType", got: set(memoryMb) });
  }
  if (volumeSizeGb !== undefined && !isWholeNumber(volumeSizeGb)) {
    problems.push({ rule: "volumeSizeGb", got: set(volumeSizeGb) });
  }
  if (gpuKind !== undefined && gpuKind !== null && typeof gpuKind !== "string") {
    problems.push({ rule: "gpuKindType", got: set(gpuKind) });
  }
  return problems;
}

export type HardwareResolution =
  | { ok: true; hardware: Hardware }
  | { ok: false; problems: HardwareProblem[] };

/**
 * Merges request → user defaults → system default (per field; `undefined` means "not set",
 * `gpuKind: null` is a value and overrides a default GPU), then checks every rule on the merged
 * result. Wrong types in the request are reported alone, as a wire schema would report them;
 * otherwise every failed rule is reported, each with where its value came from.
 */
export function resolveHardware(
  request: HardwareRequest | null | undefined,
  userDefaults: HardwareRequest | null | undefined,
  gpuKinds: readonly string[],
): HardwareResolution {
  const wrongTypes = typeProblems(request ?? {});
  if (wrongTypes.length > 0) return { ok: false, problems: wrongTypes };

  const pick = (field: HardwareField): Sourced => {
    const fromRequest: unknown = request?.[field];
    if (fromRequest !== undefined) return { value: fromRequest, source: "request" };
    const fromDefaults: unknown = userDefaults?.[field];
    if (fromDefaults !== undefined) return { value: fromDefaults, source: "default_hardware" };
    return { value: SYSTEM_DEFAULT_HARDWARE[field], source: "system_default" };
  };
  const cpuKind = pick("cpuKind");
  const cpus = pick("cpus");
  const memory = pick("memoryMb");
  const volume = pick("volumeSizeGb");
  const gpu = pick("gpuKind");

  const problems: HardwareProblem[] = [];
  if (!isCpuKind(cpuKind.value)) problems.push({ rule: "cpuKind", got: cpuKind });
  if (!isCpuCount(cpus.value)) problems.push({ rule: "cpus", got: cpus });

  // With an invalid kind or count, memoryRange falls back to the widest range that is still
  // true, so the absolute caps and multiples are checked without inventing bounds.
  const range = memoryRange(cpuKind.value, cpus.value);
  const memoryValue = memory.value;
  if (
    !isWholeNumber(memoryValue) ||
    memoryValue < range.min ||
    memoryValue > range.max ||
    memoryValue % range.step !== 0
  ) {
    problems.push({ rule: "memoryMb", got: memory, cpuKind: cpuKind.value, cpus: cpus.value });
  }

  const volumeValue = volume.value;
  if (
    !isWholeNumber(volumeValue) ||
    volumeValue < VOLUME_SIZE_GB_MIN ||
    volumeValue > VOLUME_SIZE_GB_MAX
  ) {
    problems.push({ rule: "volumeSizeGb", got: volume });
  }

  const gpuValue = gpu.value;
  if (gpuValue !== null) {
    if (typeof gpuValue !== "string" || !gpuKinds.includes(gpuValue)) {
      problems.push({ rule: "gpuKind", got: gpu, gpuKinds });
    }
    // A GPU needs GPU_CPU_KIND; not checked when the kind itself is already reported.
    if (
      typeof gpuValue === "string" &&
      isCpuKind(cpuKind.value) &&
      cpuKind.value !== GPU_CPU_KIND
    ) {
      problems.push({ rule: "gpuNeedsPerformance", got: gpu, cpuKind });
    }
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    hardware: {
      cpuKind: cpuKind.value as CpuKind,
      cpus: cpus.value as number,
      memoryMb: memoryValue as number,
      volumeSizeGb: volumeValue as number,
      gpuKind: gpuValue as string | null,
    },
  };
}

/** A row's hardware columns as a Hardware object (rows carry other columns too). */
export function hardwareOf(row: Hardware): Hardware {
  return {
    cpuKind: row.cpuKind,
    cpus: row.cpus,
    memoryMb: row.memoryMb,
    volumeSizeGb: row.volumeSizeGb,
    gpuKind: row.gpuKind,
  };
}

/** What may be ordered: every combination the rules above accept, as clients build choices. */
export interface HardwareOffer {
  cpuKinds: {
    kind: CpuKind;
    /** Each allowed cpu count with the memory allowed for it. */
    cpuCounts: { cpus: number; memoryMb: MemoryRange }[];
  }[];
  volumeSizeGb: { min: number; max: number };
  /** The GPU kinds on offer (GPU_KINDS), each with the cpu kind it needs. */
  gpuKinds: { kind: string; cpuKind: CpuKind }[];
}

/** The offer, derived from the constants and `memoryRange` (the same that `resolveHardware` checks). */
export function hardwareOffer(gpuKinds: readonly string[]): HardwareOffer {
  return {
    cpuKinds: CPU_KINDS.map((kind) => ({
      kind,
      cpuCounts: CPU_COUNTS.map((cpus) => ({ cpus, memoryMb: memoryRange(kind, cpus) })),
    })),
    volumeSizeGb: { min: VOLUME_SIZE_GB_MIN, max: VOLUME_SIZE_GB_MAX },
    gpuKinds: gpuKinds.map((kind) => ({ kind, cpuKind: GPU_CPU_KIND })),
  };
}
