/**
 * What a provisioner is told about the workspace a machine is for. The hardware is what the
 * workspace row holds now: after a resize (allowed only while stopped) it differs from the
 * machine's until the next start applies it.
 */
export interface MachineSpec {
  workspaceId: string;
  projectId: string;
  projectName: string;
  cpuKind: "shared" | "performance";
  cpus: number;
  memoryMb: number;
  volumeSizeGb: number;
  gpuKind: string | null;
  /** The provider's volume, once a step has reported it (saves looking it up); null before. */
  volumeId: string | null;
}

/**
 * The machines behind workspaces. The engine calls one method per lifecycle step and may call
 * it again for the same workspace after a crash or a lost lease, so every method must be
 * idempotent per workspace: a repeated `createMachine` returns the same machine, never a
 * second one. A failed step rejects with an Error whose message the user will read.
 */
export interface Provisioner {
  /** `volumeId`, when the provider has one, is kept on the workspace and comes back in the spec. */
  createMachine(
    spec: MachineSpec,
    signal: AbortSignal,
  ): Promise<{ machineId: string; volumeId?: string | undefined }>;
  /**
   * Brings the machine's hardware to the spec's (a resize made while it was stopped: CPU and
   * memory, a volume that only grows), then boots it; resolves once it is reachable. Repeated
   * after a crash, it applies nothing twice.
   */
  start(
    machineId: string,
    spec: MachineSpec,
    signal: AbortSignal,
  ): Promise<{ privateIp: string; volumeId?: string | undefined }>;
  stop(machineId: string, spec: MachineSpec, signal: AbortSignal): Promise<void>;
  /** Removes the machine and its volume; `machineId` is null when none was recorded yet. */
  destroy(machineId: string | null, spec: MachineSpec, signal: AbortSignal): Promise<void>;
  /**
   * Activity seen inside the machine (a shell, an editor connection), when the provisioner can
   * tell; idle auto-stop counts from the later of this and the API's last_activity_at.
   */
  lastActivity?(machineId: string, spec: MachineSpec): Promise<Date | null>;
}

/** The provisioner steps, as named in logs and failure injection. */
export type ProvisionerStep = "createMachine" | "start" | "stop" | "destroy";
