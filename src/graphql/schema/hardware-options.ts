/**
 * `hardwareOptions`: what may be ordered, so that clients build their choices (CPU kinds and
 * counts, memory per count, volume sizes, GPU kinds) instead of free text. Derived from the one
 * set of hardware rules (services/hardware-rules.ts `hardwareOffer`), never restated here.
 */
import {
  type HardwareOffer,
  hardwareOffer,
  type MemoryRange,
} from "../../services/hardware-rules.js";
import { builder } from "../builder.js";
import { requireViewer } from "../context.js";
import { CpuKind } from "./enums.js";

type CpuKindOffer = HardwareOffer["cpuKinds"][number];
type CpuCountOffer = CpuKindOffer["cpuCounts"][number];
type GpuKindOffer = HardwareOffer["gpuKinds"][number];

const IntRange = builder.objectRef<MemoryRange>("IntRange").implement({
  description: "The whole numbers from min to max (both included) that are multiples of step.",
  fields: (t) => ({
    min: t.exposeInt("min", { description: "The smallest allowed value." }),
    max: t.exposeInt("max", { description: "The largest allowed value." }),
    step: t.exposeInt("step", { description: "Allowed values are multiples of this." }),
  }),
});

const CpuCountOption = builder.objectRef<CpuCountOffer>("CpuCountOption").implement({
  description: "One allowed CPU count of a CPU kind, with the memory allowed with it.",
  fields: (t) => ({
    cpus: t.exposeInt("cpus", { description: "The number of CPUs (HardwareInput.cpus)." }),
    memoryMb: t.field({
      type: IntRange,
      description: "The memory allowed with this kind and count, in MB (HardwareInput.memoryMb).",
      resolve: (option) => option.memoryMb,
    }),
  }),
});

const CpuKindOption = builder.objectRef<CpuKindOffer>("CpuKindOption").implement({
  description: "One CPU kind and the CPU counts allowed with it.",
  fields: (t) => ({
    kind: t.field({
      type: CpuKind,
      description: "The CPU kind (HardwareInput.cpuKind).",
      resolve: (option) => option.kind,
    }),
    cpuCounts: t.field({
      type: [CpuCountOption],
      description: "The allowed CPU counts, smallest first, each with its memory range.",
      resolve: (option) => option.cpuCounts,
    }),
  }),
});

const GpuKindOption = builder.objectRef<GpuKindOffer>("GpuKindOption").implement({
  description: "One GPU kind on offer (GPU_KINDS).",
  fields: (t) => ({
    kind: t.exposeString("kind", { description: "The GPU kind (HardwareInput.gpuKind)." }),
    cpuKind: t.field({
      type: CpuKind,
      description: "The CPU kind a workspace with this GPU must have.",
      resolve: (option) => option.cpuKind,
    }),
  }),
});

const VolumeRange = builder.objectRef<HardwareOffer["volumeSizeGb"]>("VolumeSizeRange").implement({
  description: "The allowed volume sizes: every whole number of GB from min to max.",
  fields: (t) => ({
    min: t.exposeInt("min", { description: "The smallest volume, in GB." }),
    max: t.exposeInt("max", { description: "The largest volume, in GB." }),
  }),
});

const HardwareOptions = builder.objectRef<HardwareOffer>("HardwareOptions").implement({
  description:
    "What may be ordered: every combination listed here passes the hardware rules, and nothing else does.",
  fields: (t) => ({
    cpuKinds: t.field({
      type: [CpuKindOption],
      description: "Each CPU kind with its CPU counts and the memory allowed per count.",
      resolve: (offer) => offer.cpuKinds,
    }),
    volumeSizeGb: t.field({
      type: VolumeRange,
      description: "The allowed volume sizes in GB (HardwareInput.volumeSizeGb).",
      resolve: (offer) => offer.volumeSizeGb,
    }),
    gpuKinds: t.field({
      type: [GpuKindOption],
      description:
        'The GPU kinds on offer, each with the CPU kind it needs; empty when none are. "No GPU" is always allowed.',
      resolve: (offer) => offer.gpuKinds,
    }),
  }),
});

builder.queryField("hardwareOptions", (t) =>
  t.field({
    type: HardwareOptions,
    description:
      "The hardware that may be ordered (createWorkspace, updateDefaultHardware): build choices from it.",
    resolve: (_root, _args, context) => {
      requireViewer(context);
      return hardwareOffer(context.services.gpuKinds);
    },
  }),
);
