/**
 * Hardware problems in words. One text per rule, rendered in the language of the door that
 * answers: REST says `memory_mb` and `"shared"`, GraphQL says `memoryMb` and `SHARED`, and a
 * person filling in a form reads "Memory" and "shared" with units (the console shows those).
 * Descriptions for the GraphQL schema and the OpenAPI document are built here too, from the
 * rule constants.
 */
import {
  CPU_COUNTS,
  CPU_KINDS,
  type CpuKind,
  GPU_CPU_KIND,
  type HardwareField,
  type HardwareProblem,
  type HardwareValueSource,
  isCpuCount,
  isCpuKind,
  MEMORY_MB_MAX,
  MEMORY_RULES,
  memoryRange,
  problemField,
  type Sourced,
  SYSTEM_DEFAULT_HARDWARE,
  VOLUME_SIZE_GB_MAX,
  VOLUME_SIZE_GB_MIN,
} from "./hardware-rules.js";

/** The hardware object being checked: a workspace's, or the user's defaults. */
export type HardwareTarget = "hardware" | "defaultHardware";

/** How a door names things. */
export interface Dialect {
  field(field: HardwareField): string;
  target(target: HardwareTarget): string;
  /** A kind as a value ("shared" / SHARED). */
  cpuKind(kind: CpuKind): string;
  /** A kind in a sentence ("2 shared cpus" / "2 SHARED cpus"). */
  cpuKindWord(kind: CpuKind): string;
  /** The noun after a cpu count ("cpus" / "CPUs"). */
  cpusNoun(count: number): string;
  /** What follows an amount of memory or volume: "" for the APIs, " MB" / " GB" for people. */
  unit(field: "memoryMb" | "volumeSizeGb"): string;
  /** "No GPU" as a value: REST's `null`, GraphQL's `""`, "none" for people (the form's empty field). */
  none: string;
}

const apiCpusNoun = (count: number) => (count === 1 ? "cpu" : "cpus");

export const REST_DIALECT: Dialect = {
  field: (field) => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`),
  target: (target) => (target === "hardware" ? "hardware" : "default_hardware"),
  cpuKind: (kind) => JSON.stringify(kind),
  cpuKindWord: (kind) => kind,
  cpusNoun: apiCpusNoun,
  unit: () => "",
  none: "null",
};

export const GRAPHQL_DIALECT: Dialect = {
  field: (field) => field,
  target: (target) => target,
  cpuKind: (kind) => kind.toUpperCase(),
  cpuKindWord: (kind) => kind.toUpperCase(),
  cpusNoun: apiCpusNoun,
  unit: () => "",
  // In GraphQL input null means "left out"; no GPU is said with "".
  none: '""',
};

const PERSON_FIELDS: Record<HardwareField, string> = {
  cpuKind: "CPU kind",
  cpus: "CPUs",
  memoryMb: "Memory",
  volumeSizeGb: "Volume size",
  gpuKind: "GPU kind",
};

/**
 * For a person filling in a form: fields by their labels, kinds as words, amounts with units
 * ("Memory must be a multiple of 256 MB between 512 and 4096 MB for 2 shared CPUs").
 */
export const PERSON_DIALECT: Dialect = {
  field: (field) => PERSON_FIELDS[field],
  target: (target) => (target === "hardware" ? "hardware" : "default hardware"),
  cpuKind: (kind) => kind,
  cpuKindWord: (kind) => kind,
  cpusNoun: (count) => (count === 1 ? "CPU" : "CPUs"),
  unit: (field) => (field === "memoryMb" ? " MB" : " GB"),
  none: "none",
};

/** A field-level problem as both doors report it. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** A value as a human reads it; strings given for numbers are called out as strings. */
function describeValue(value: unknown, expected: "number" | "string", dialect: Dialect): string {
  if (typeof value === "string") {
    if (expected === "number") return `the string ${JSON.stringify(value)}`;
    return isCpuKind(value) ? dialect.cpuKind(value) : JSON.stringify(value);
  }
  if (value === undefined) return "nothing";
  if (value === null) return dialect.none;
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "bigint") return `${value}n`;
  return String(value);
}

function sourceNote(source: HardwareValueSource, dialect: Dialect): string {
  switch (source) {
    case "request":
      return "";
    case "default_hardware":
      return `, from your ${dialect.target("defaultHardware")}`;
    case "system_default":
      return ", from the system default";
  }
}

function got(sourced: Sourced, dialect: Dialect, expected: "number" | "string" = "string") {
  return `${describeValue(sourced.value, expected, dialect)}${sourceNote(sourced.source, dialect)}`;
}

function alternatives(values: readonly string[]): string {
  if (values.length === 1) return values[0] ?? "";
  if (values.length === 2) return `${values[0]} or ${values[1]}`;
  return `one of ${values.join(", ")}`;
}

const cpuKinds = (dialect: Dialect) => alternatives(CPU_KINDS.map(dialect.cpuKind));
const cpuCounts = () => alternatives(CPU_COUNTS.map(String));

/** The message for one problem, in `dialect`. */
export function problemMessage(problem: HardwareProblem, dialect: Dialect): string {
  const name = dialect.field;
  switch (problem.rule) {
    case "cpuKind":
      return `${name("cpuKind")} must be ${cpuKinds(dialect)} (got ${got(problem.got, dialect)})`;
    case "cpus":
      return `${name("cpus")} must be ${cpuCounts()} (got ${got(problem.got, dialect, "number")})`;
    case "memoryMb": {
      const { step, min, max } = memoryRange(problem.cpuKind, problem.cpus);
      const kind = isCpuKind(problem.cpuKind) ? dialect.cpuKindWord(problem.cpuKind) : null;
      const cpus = isCpuCount(problem.cpus) ? problem.cpus : null;
      const context =
        kind === null
          ? ""
          : cpus === null
            ? ` for ${kind} ${dialect.cpusNoun(2)}`
            : ` for ${cpus} ${kind} ${dialect.cpusNoun(cpus)}`;
      const mb = dialect.unit("memoryMb");
      const allowed =
        min === max ? `${min}${mb}` : `a multiple of ${step}${mb} between ${min} and ${max}${mb}`;
      return `${name("memoryMb")} must be ${allowed}${context} (got ${got(problem.got, dialect, "number")})`;
    }
    case "memoryMbType":
      return `${name("memoryMb")} must be a whole number of MB (got ${got(problem.got, dialect, "number")})`;
    case "volumeSizeGb":
      return `${name("volumeSizeGb")} must be a whole number between ${VOLUME_SIZE_GB_MIN} and ${VOLUME_SIZE_GB_MAX}${dialect.unit("volumeSizeGb")} (got ${got(problem.got, dialect, "number")})`;
    case "gpuKind":
      return problem.gpuKinds.length === 0
        ? `${name("gpuKind")} must be ${dialect.none}: no GPU kinds are on offer (got ${got(problem.got, dialect)})`
        : `${name("gpuKind")} must be ${dialect.none} or ${alternatives(problem.gpuKinds.map((kind) => JSON.stringify(kind)))} (got ${got(problem.got, dialect)})`;
    case "gpuKindType":
      return `${name("gpuKind")} must be a string or ${dialect.none} (got ${got(problem.got, dialect)})`;
    case "gpuNeedsPerformance":
      return `${name("gpuKind")} must be ${dialect.none} unless ${name("cpuKind")} is ${dialect.cpuKind("performance")} (got ${got(problem.got, dialect)}; ${name("cpuKind")} is ${got(problem.cpuKind, dialect)})`;
    case "hardwareObject": {
      const fields = (Object.keys(SYSTEM_DEFAULT_HARDWARE) as HardwareField[]).map(name);
      return `hardware must be an object with any of the fields ${fields.join(", ")} (got ${got(problem.got, dialect)})`;
    }
  }
}

/** One problem as a field issue named in `dialect`: "hardware.memory_mb" or "hardware.memoryMb". */
export function hardwareIssue(
  problem: HardwareProblem,
  target: HardwareTarget,
  dialect: Dialect,
): FieldIssue {
  const field = problemField(problem);
  const prefix = dialect.target(target);
  return {
    field: field === null ? prefix : `${prefix}.${dialect.field(field)}`,
    message: problemMessage(problem, dialect),
  };
}

/** Problems as field issues named in `dialect`. */
export function hardwareIssues(
  problems: readonly HardwareProblem[],
  target: HardwareTarget,
  dialect: Dialect,
): FieldIssue[] {
  return problems.map((problem) => hardwareIssue(problem, target, dialect));
}

const performance = MEMORY_RULES.performance;
const shared = MEMORY_RULES.shared;

/** What each field allows, for schema and OpenAPI descriptions (from the rule constants). */
export function fieldDescription(field: HardwareField, dialect: Dialect): string {
  return allowedDescription(
    field,
    dialect,
    (value) => ` Omitted: your ${dialect.target("defaultHardware")}, then ${value}.`,
  );
}

/**
 * What a field allows; `fallback` words what a left-out field becomes (GraphQL's HardwareInput
 * says it once for the input, as each mutation fills fields in its own way).
 */
export function allowedDescription(
  field: HardwareField,
  dialect: Dialect,
  fallback: (systemDefault: unknown) => string = () => "",
): string {
  switch (field) {
    case "cpuKind":
      return `CPU kind: ${cpuKinds(dialect)}.${fallback(dialect.cpuKind(SYSTEM_DEFAULT_HARDWARE.cpuKind))}`;
    case "cpus":
      return `Number of CPUs: ${cpuCounts()}.${fallback(SYSTEM_DEFAULT_HARDWARE.cpus)}`;
    case "memoryMb":
      return (
        `Memory in MB, at most ${MEMORY_MB_MAX}. ${dialect.cpuKindWord("shared")}: a multiple of ` +
        `${shared.step} between ${shared.minPerCpu}×cpus and ${shared.maxPerCpu}×cpus; ` +
        `${dialect.cpuKindWord("performance")}: a multiple of ${performance.step} between ` +
        `${performance.minPerCpu}×cpus and ${performance.maxPerCpu}×cpus.` +
        fallback(SYSTEM_DEFAULT_HARDWARE.memoryMb)
      );
    case "volumeSizeGb":
      return `Volume size in GB, ${VOLUME_SIZE_GB_MIN} to ${VOLUME_SIZE_GB_MAX}.${fallback(SYSTEM_DEFAULT_HARDWARE.volumeSizeGb)}`;
    case "gpuKind":
      return (
        "GPU kind, one of those on offer (GPU_KINDS), or null for no GPU. A GPU needs " +
        `${dialect.field("cpuKind")} ${dialect.cpuKind(GPU_CPU_KIND)}.${fallback("null")}`
      );
  }
}

/** The system default in `dialect`, e.g. {cpu_kind: shared, cpus: 2, …}. */
export function systemDefaultText(dialect: Dialect): string {
  const entries = Object.entries(SYSTEM_DEFAULT_HARDWARE).map(
    ([field, value]) =>
      `${dialect.field(field as HardwareField)}: ${isCpuKind(value) ? dialect.cpuKindWord(value) : value}`,
  );
  return `{${entries.join(", ")}}`;
}
