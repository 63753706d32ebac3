import {
  type HardwareRequest,
  type Hardware as HardwareShape,
  hardwareRequestSchema,
  issuesFromZodError,
} from "../../services/hardware-policy.js";
import { errors, fail, ok, type Result } from "../../services/result.js";
import { builder } from "../builder.js";
import { CpuKind } from "./enums.js";

export const Hardware = builder.objectRef<HardwareShape>("Hardware").implement({
  description: "A workspace's machine: CPUs, memory, volume and GPU.",
  fields: (t) => ({
    cpuKind: t.field({ type: CpuKind, resolve: (hardware) => hardware.cpu_kind }),
    cpus: t.exposeInt("cpus"),
    memoryMb: t.exposeInt("memory_mb"),
    volumeSizeGb: t.exposeInt("volume_size_gb"),
    gpuKind: t.exposeString("gpu_kind", { nullable: true }),
  }),
});

export const HardwareInput = builder.inputType("HardwareInput", {
  description:
    "Fields left out are taken from your default hardware, then from the system default " +
    "(SHARED, 2 cpus, 2048 MB, 10 GB, no GPU). gpuKind: null asks for no GPU.",
  fields: (t) => ({
    cpuKind: t.field({ type: CpuKind }),
    cpus: t.int({ description: "1, 2, 4, 6 or 8" }),
    memoryMb: t.int({
      description:
        "SHARED: a multiple of 256 between 256×cpus and 2048×cpus; PERFORMANCE: a multiple of 1024 between 2048×cpus and 8192×cpus; at most 16384",
    }),
    volumeSizeGb: t.int({ description: "1 to 500" }),
    gpuKind: t.string({ description: "One of the GPU kinds on offer, or null for none" }),
  }),
});

type HardwareInputShape = typeof HardwareInput.$inferInput;

const FIELDS = {
  cpuKind: "cpu_kind",
  cpus: "cpus",
  memoryMb: "memory_mb",
  volumeSizeGb: "volume_size_gb",
  gpuKind: "gpu_kind",
} as const satisfies Record<keyof HardwareInputShape, keyof HardwareShape>;

/**
 * HardwareInput as the service's snake_case request: only the fields given, a null kept as
 * given. It goes through the same shape check as a REST body, so a null where REST refuses one
 * (cpus: null) is refused here with the same issue; issues are named as REST names them
 * (`fieldPrefix.cpus`).
 */
export function hardwareRequest(
  input: HardwareInputShape,
  fieldPrefix: string,
): Result<HardwareRequest> {
  const request: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(FIELDS)) {
    const value = input[name as keyof HardwareInputShape];
    if (value !== undefined) request[field] = value;
  }
  const parsed = hardwareRequestSchema.safeParse(request);
  if (parsed.success) return ok(parsed.data);
  return fail(errors.invalidHardware(issuesFromZodError(parsed.error, fieldPrefix)));
}

/** A workspace row's hardware columns as the Hardware object. */
export function hardwareOf(row: {
  cpuKind: HardwareShape["cpu_kind"];
  cpus: number;
  memoryMb: number;
  volumeSizeGb: number;
  gpuKind: string | null;
}): HardwareShape {
  return {
    cpu_kind: row.cpuKind,
    cpus: row.cpus,
    memory_mb: row.memoryMb,
    volume_size_gb: row.volumeSizeGb,
    gpu_kind: row.gpuKind,
  };
}
