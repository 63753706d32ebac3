import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { MachineSpec } from "../src/lifecycle/provisioner.js";
import { createSimulatedProvisioner } from "../src/lifecycle/simulated-provisioner.js";

const never = new AbortController().signal;

describe("the simulated provisioner and a resize", () => {
  it("starts with the hardware the spec holds now, and refuses a volume that would shrink", async () => {
    const sim = createSimulatedProvisioner({ delayMs: 0 });
    const spec: MachineSpec = {
      workspaceId: randomUUID(),
      projectId: randomUUID(),
      projectName: "resize",
      cpuKind: "shared",
      cpus: 1,
      memoryMb: 512,
      volumeSizeGb: 1,
      gpuKind: null,
      volumeId: null,
    };
    const { machineId } = await sim.createMachine(spec, never);
    expect(sim.startedWith(machineId)).toBeUndefined();
    await sim.start(machineId, spec, never);
    expect(sim.startedWith(machineId)).toMatchObject({ cpus: 1, memoryMb: 512, volumeSizeGb: 1 });

    await sim.stop(machineId, spec, never);
    const resized = {
      ...spec,
      cpuKind: "performance",
      cpus: 2,
      memoryMb: 4096,
      volumeSizeGb: 3,
    } as const;
    await sim.start(machineId, resized, never);
    expect(sim.startedWith(machineId)).toEqual({
      cpuKind: "performance",
      cpus: 2,
      memoryMb: 4096,
      volumeSizeGb: 3,
      gpuKind: null,
    });
    // Same size again: accepted (n); one GB less: refused (n-1), and nothing changes.
    await sim.start(machineId, resized, never);
    await expect(sim.start(machineId, { ...resized, volumeSizeGb: 2 }, never)).rejects.toThrow(
      /volume cannot shrink from 3 GB to 2 GB/,
    );
    expect(sim.startedWith(machineId)?.volumeSizeGb).toBe(3);
  });
});
