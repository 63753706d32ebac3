import {
  allowedDescription,
  GRAPHQL_DIALECT,
  systemDefaultText,
} from "../../services/hardware-messages.js";
import {
  GPU_CPU_KIND,
  type HardwareRequest,
  type Hardware as HardwareShape,
} from "../../services/hardware-rules.js";
import { builder } from "../builder.js";
import { CpuKind } from "./enums.js";

/** GraphQL's way to say "no GPU" in an input: null there means "left out", as everywhere. */
export const NO_GPU = "";

/** Workspaces and users' defaults alike: the columns are named as the fields. */
export const Hardware = builder.objectRef<HardwareShape>("Hardware").implement({
  description: "A workspace's machine: CPUs, memory, volume and GPU.",
  fields: (t) => ({
    cpuKind: t.expose("cpuKind", { type: CpuKind, description: "The kind of CPUs." }),
    cpus: t.exposeInt("cpus", { description: "The number of CPUs." }),
    memoryMb: t.exposeInt("memoryMb", { description: "Memory in MB." }),
    volumeSizeGb: t.exposeInt("volumeSizeGb", { description: "The volume's size in GB." }),
    gpuKind: t.exposeString("gpuKind", {
      nullable: true,
      description: "The GPU kind; null: no GPU.",
    }),
  }),
});

const describe = (field: Parameters<typeof allowedDescription>[0]) =>
  allowedDescription(field, GRAPHQL_DIALECT);

export const HardwareInput = builder.inputType("HardwareInput", {
  description:
    "Hardware to ask for. A field left out or null is filled in, and how depends on the mutation: " +
    "createWorkspace merges over your defaultHardware (each field left out comes from it, then " +
    `from the system default ${systemDefaultText(GRAPHQL_DIALECT)}); updateDefaultHardware ` +
    "replaces your defaults (each field left out comes from the system default; an empty input " +
    `resets them). The result must pass the hardware rules as a whole; hardwareOptions lists what may be ordered. "No GPU" is gpuKind: "${NO_GPU}".`,
  fields: (t) => ({
    cpuKind: t.field({ type: CpuKind, description: describe("cpuKind") }),
    cpus: t.int({ description: describe("cpus") }),
    memoryMb: t.int({ description: describe("memoryMb") }),
    volumeSizeGb: t.int({ description: describe("volumeSizeGb") }),
    gpuKind: t.string({
      description:
        `One of hardwareOptions.gpuKinds (GPU_KINDS), or "${NO_GPU}" (the empty string) for no GPU. ` +
        `Left out or null: filled in like the other fields (so a default GPU stays). A GPU needs cpuKind ${GPU_CPU_KIND.toUpperCase()}.`,
    }),
  }),
});

/**
 * The fields the client set. null means "left out" (one meaning for null in every input); "no
 * GPU" is said with gpuKind "" and becomes the rules' `gpuKind: null`, as REST's `gpu_kind: null`.
 */
export function hardwareRequest(input: typeof HardwareInput.$inferInput): HardwareRequest {
  const request: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue;
    request[field] = field === "gpuKind" && value === NO_GPU ? null : value;
  }
  return request as HardwareRequest;
}
