import { z } from "zod";
import type { Prisma, User } from "../generated/prisma/client.js";
import type { ServiceDeps } from "./deps.js";
import {
  type Hardware,
  type HardwareRequest,
  resolveHardware,
  SYSTEM_DEFAULT_HARDWARE,
} from "./hardware-policy.js";
import { errors, fail, ok, type Result, UUID_PATTERN } from "./result.js";

const emailSchema = z.email();

/** The user's stored default_hardware; only the fields they have set. */
export function userDefaultHardware(user: User): HardwareRequest {
  const defaults: HardwareRequest = {};
  if (user.defaultCpuKind !== null) defaults.cpu_kind = user.defaultCpuKind;
  if (user.defaultCpus !== null) defaults.cpus = user.defaultCpus;
  if (user.defaultMemoryMb !== null) defaults.memory_mb = user.defaultMemoryMb;
  if (user.defaultVolumeSizeGb !== null) defaults.volume_size_gb = user.defaultVolumeSizeGb;
  if (user.defaultGpuKind !== null) defaults.gpu_kind = user.defaultGpuKind;
  return defaults;
}

/** default_hardware as users see it: their settings over the system default. */
export function effectiveDefaultHardware(user: User): Hardware {
  return { ...SYSTEM_DEFAULT_HARDWARE, ...userDefaultHardware(user) };
}

export class UserService {
  constructor(private readonly deps: ServiceDeps) {}

  async create(email: string): Promise<Result<User>> {
    const parsed = emailSchema.safeParse(email);
    if (!parsed.success) {
      return fail(errors.invalidInput([{ field: "email", message: "must be an email address" }]));
    }
    const user = await this.deps.prisma.user.upsert({
      where: { email: parsed.data.toLowerCase() },
      create: { email: parsed.data.toLowerCase() },
      update: {},
    });
    return ok(user);
  }

  /** A user by id or email. `query` loads relations with the row (GraphQL's planned selection). */
  async find(ref: string, query: { include?: Prisma.UserInclude } = {}): Promise<Result<User>> {
    const where = UUID_PATTERN.test(ref) ? { id: ref } : { email: ref.toLowerCase() };
    const user = await this.deps.prisma.user.findUnique({ ...query, where });
    return user ? ok(user) : fail(errors.userNotFound());
  }

  /**
   * Changes the fields given and keeps the others; the result must be a valid configuration.
   * Issues are reported under `fieldPrefix` (REST: default_hardware.cpus).
   */
  async updateDefaultHardware(
    user: User,
    request: HardwareRequest,
    fieldPrefix = "default_hardware",
  ): Promise<Result<User>> {
    const resolved = resolveHardware(request, userDefaultHardware(user), {
      gpuKinds: this.deps.gpuKinds,
      fieldPrefix,
    });
    if (!resolved.ok) return fail(errors.invalidHardware(resolved.issues));
    const { hardware } = resolved;
    const updated = await this.deps.prisma.user.update({
      where: { id: user.id },
      data: {
        defaultCpuKind: hardware.cpu_kind,
        defaultCpus: hardware.cpus,
        defaultMemoryMb: hardware.memory_mb,
        defaultVolumeSizeGb: hardware.volume_size_gb,
        defaultGpuKind: hardware.gpu_kind,
        updatedAt: new Date(),
      },
    });
    return ok(updated);
  }
}
