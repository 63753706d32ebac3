import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { MachineSpec, Provisioner, ProvisionerStep } from "./provisioner.js";

/**
 * Failure injection for the simulated provisioner: a project whose name contains
 * `[fail:create]`, `[fail:start]`, `[fail:stop]` or `[fail:destroy]` (several may be combined)
 * gets that step failed for all its workspaces. It works through a running server with no
 * extra configuration, and only this simulated provisioner reads it.
 */
export const FAILURE_MARKERS: Readonly<Record<ProvisionerStep, string>> = {
  createMachine: "[fail:create]",
  start: "[fail:start]",
  stop: "[fail:stop]",
  destroy: "[fail:destroy]",
};

export interface SimulatedProvisionerOptions {
  /** Time each step takes (SIMULATED_PROVISION_DELAY_MS). */
  delayMs: number;
}

/** The hardware a simulated machine last started with. */
export type SimulatedHardware = Pick<
  MachineSpec,
  "cpuKind" | "cpus" | "memoryMb" | "volumeSizeGb" | "gpuKind"
>;

export interface SimulatedProvisioner extends Provisioner {
  /** What the machine last started with in this process (a resize shows at the next start). */
  startedWith(machineId: string): SimulatedHardware | undefined;
}

/**
 * Stands in for a cloud provider: every step takes `delayMs`, and everything it hands out is
 * derived from the workspace id, so a step repeated after a crash or on another replica gives
 * the same machine and the same address. A start takes the spec's hardware, as a resize made
 * while stopped; like a real provider's volume, the disk never shrinks.
 */
export function createSimulatedProvisioner({
  delayMs,
}: SimulatedProvisionerOptions): SimulatedProvisioner {
  const hardware = new Map<string, SimulatedHardware>();
  async function step(name: ProvisionerStep, spec: MachineSpec, signal: AbortSignal) {
    await sleep(delayMs, undefined, { signal });
    if (spec.projectName.includes(FAILURE_MARKERS[name])) {
      throw new Error(
        `simulated ${name} failure (the project name contains ${FAILURE_MARKERS[name]})`,
      );
    }
  }
  return {
    async createMachine(spec, signal) {
      await step("createMachine", spec, signal);
      return { machineId: simulatedMachineId(spec.workspaceId) };
    },
    async start(machineId, spec, signal) {
      await step("start", spec, signal);
      const before = hardware.get(machineId);
      if (before && spec.volumeSizeGb < before.volumeSizeGb) {
        throw new Error(
          `simulated start refused: the volume cannot shrink from ${before.volumeSizeGb} GB to ${spec.volumeSizeGb} GB`,
        );
      }
      const { cpuKind, cpus, memoryMb, volumeSizeGb, gpuKind } = spec;
      hardware.set(machineId, { cpuKind, cpus, memoryMb, volumeSizeGb, gpuKind });
      return { privateIp: simulatedPrivateIp(spec.workspaceId) };
    },
    async stop(_machineId, spec, signal) {
      await step("stop", spec, signal);
    },
    async destroy(machineId, spec, signal) {
      await step("destroy", spec, signal);
      if (machineId) hardware.delete(machineId);
    },
    startedWith(machineId) {
      return hardware.get(machineId);
    },
  };
}

/** 14 hex digits, like a Fly machine id, fixed per workspace. */
export function simulatedMachineId(workspaceId: string): string {
  return digest(`machine:${workspaceId}`).toString("hex").slice(0, 14);
}

/** An address in 10.0.0.0/8, fixed per workspace. */
export function simulatedPrivateIp(workspaceId: string): string {
  const [a = 0, b = 0, c = 0] = digest(`ip:${workspaceId}`);
  return `10.${a}.${b}.${(c % 254) + 1}`;
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
