/**
 * Hardware on the REST wire: snake_case, as the documented API spells it. The only place where
 * hardware changes case: requests are checked here and handed on in the services' names,
 * answers are spelled back.
 */
import { z } from "zod";
import { CpuKind } from "../generated/prisma/enums.js";
import {
  fieldDescription,
  problemMessage,
  REST_DIALECT,
  systemDefaultText,
} from "../services/hardware-messages.js";
import {
  CPU_KINDS,
  type Hardware,
  type HardwareProblem,
  type HardwareRequest,
} from "../services/hardware-rules.js";

const message = (rule: HardwareProblem["rule"]) => (issue: { input: unknown }) =>
  problemMessage(
    { rule, got: { value: issue.input, source: "request" } } as HardwareProblem,
    REST_DIALECT,
  );

const describe = (field: Parameters<typeof fieldDescription>[0]) =>
  fieldDescription(field, REST_DIALECT);

/**
 * A hardware object in a request. Checks types only (strict: unknown keys rejected; every field
 * optional; integers are integers, not strings or fractions), in the words of the hardware
 * rules; the rules on the merged result are the services' job.
 */
export const hardwareRequestSchema = z
  .strictObject(
    {
      cpu_kind: z
        .enum(CPU_KINDS, { error: message("cpuKind") })
        .optional()
        .describe(describe("cpuKind")),
      cpus: z
        .int({ error: message("cpus") })
        .optional()
        .describe(describe("cpus")),
      memory_mb: z
        .int({ error: message("memoryMbType") })
        .optional()
        .describe(describe("memoryMb")),
      volume_size_gb: z
        .int({ error: message("volumeSizeGb") })
        .optional()
        .describe(describe("volumeSizeGb")),
      gpu_kind: z
        .string({ error: message("gpuKindType") })
        .nullable()
        .optional()
        .describe(describe("gpuKind")),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys" ? undefined : message("hardwareObject")(issue),
    },
  )
  .describe(
    "Workspace hardware. Fields left out are taken from your default_hardware, then from the " +
      `system default ${systemDefaultText(REST_DIALECT)}.`,
  );

export type WireHardwareRequest = z.output<typeof hardwareRequestSchema>;

/** A hardware object in an answer. */
export const hardwareSchema = z.strictObject({
  cpu_kind: z.enum(CpuKind),
  cpus: z.int(),
  memory_mb: z.int(),
  volume_size_gb: z.int(),
  gpu_kind: z.string().nullable(),
});

export type WireHardware = z.output<typeof hardwareSchema>;

/** The fields the client sent, in the services' names (left-out fields stay left out). */
export function fromWireHardware(wire: WireHardwareRequest): HardwareRequest {
  const request: HardwareRequest = {};
  if (wire.cpu_kind !== undefined) request.cpuKind = wire.cpu_kind;
  if (wire.cpus !== undefined) request.cpus = wire.cpus;
  if (wire.memory_mb !== undefined) request.memoryMb = wire.memory_mb;
  if (wire.volume_size_gb !== undefined) request.volumeSizeGb = wire.volume_size_gb;
  if (wire.gpu_kind !== undefined) request.gpuKind = wire.gpu_kind;
  return request;
}

export function toWireHardware(hardware: Hardware): WireHardware {
  return {
    cpu_kind: hardware.cpuKind,
    cpus: hardware.cpus,
    memory_mb: hardware.memoryMb,
    volume_size_gb: hardware.volumeSizeGb,
    gpu_kind: hardware.gpuKind,
  };
}
