import {
  fieldDescription,
  GRAPHQL_DIALECT,
  systemDefaultText,
} from "../../services/hardware-messages.js";
import type { HardwareRequest, Hardware as HardwareShape } from "../../services/hardware-rules.js";
import { builder } from "../builder.js";
import { CpuKind } from "./enums.js";

/** Workspaces and users' defaults alike: the columns are named as the fields. */
export const Hardware = builder.objectRef<HardwareShape>("Hardware").implement({
  description: "A workspace's machine: CPUs, memory, volume and GPU.",
  fields: (t) => ({
    cpuKind: t.expose("cpuKind", { type: CpuKind }),
    cpus: t.exposeInt("cpus"),
    memoryMb: t.exposeInt("memoryMb"),
    volumeSizeGb: t.exposeInt("volumeSizeGb"),
    gpuKind: t.exposeString("gpuKind", { nullable: true }),
  }),
});

const describe = (field: Parameters<typeof fieldDescription>[0]) =>
  fieldDescription(field, GRAPHQL_DIALECT);

export const HardwareInput = builder.inputType("HardwareInput", {
  description:
    "Fields left out are taken from your default hardware, then from the system default " +
    `${systemDefaultText(GRAPHQL_DIALECT)}. gpuKind: null asks for no GPU.`,
  fields: (t) => ({
    cpuKind: t.field({ type: CpuKind, description: describe("cpuKind") }),
    cpus: t.int({ description: describe("cpus") }),
    memoryMb: t.int({ description: describe("memoryMb") }),
    volumeSizeGb: t.int({ description: describe("volumeSizeGb") }),
    gpuKind: t.string({ description: describe("gpuKind") }),
  }),
});

/**
 * The fields the client set. An explicit null stays null, so that the hardware rules refuse it
 * where REST refuses one (`cpus: null`) with the same rule.
 */
export function hardwareRequest(input: typeof HardwareInput.$inferInput): HardwareRequest {
  return Object.fromEntries(
    Object.entries(input).filter(([, value]) => value !== undefined),
  ) as HardwareRequest;
}
