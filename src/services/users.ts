import { z } from "zod";
import type { Prisma, User } from "../generated/prisma/client.js";
import type { ServiceDeps } from "./deps.js";
import {
  type Hardware,
  type HardwareRequest,
  resolveHardware,
  SYSTEM_DEFAULT_HARDWARE,
} from "./hardware-rules.js";
import { errors, fail, ok, type Result, UUID_PATTERN } from "./result.js";
import { boundProblem } from "./workspace-policy.js";

const emailSchema = z.email();

/** The user's stored default hardware; only the fields they have set. */
export function userDefaultHardware(user: User): HardwareRequest {
  const defaults: HardwareRequest = {};
  if (user.defaultCpuKind !== null) defaults.cpuKind = user.defaultCpuKind;
  if (user.defaultCpus !== null) defaults.cpus = user.defaultCpus;
  if (user.defaultMemoryMb !== null) defaults.memoryMb = user.defaultMemoryMb;
  if (user.defaultVolumeSizeGb !== null) defaults.volumeSizeGb = user.defaultVolumeSizeGb;
  if (user.defaultGpuKind !== null) defaults.gpuKind = user.defaultGpuKind;
  return defaults;
}

/** The default hardware as users see it: their settings over the system default. */
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
    const address = parsed.data.toLowerCase();
    const user = await this.deps.prisma.user.upsert({
      where: { email: address },
      create: { email: address },
      update: {},
    });
    // Memberships added for this email before the account existed become active now.
    await this.deps.prisma.projectMember.updateMany({
      where: { email: address, userId: null },
      data: { userId: user.id },
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
   * Replaces the user's default hardware (PUT semantics): fields left out fall back to the
   * system default, so `{}` resets. The request must be a valid configuration as a whole.
   */
  /**
   * Replaces the user's settings as a whole (PUT /user/settings): default hardware as
   * replaceDefaultHardware, and the auto-stop of workspaces created without one (null: the
   * deployment's IDLE_TIMEOUT_MINUTES). Nothing changes unless both are valid.
   */
  async replaceSettings(
    user: User,
    settings: { defaultHardware: HardwareRequest; defaultAutoStopMinutes: number | null },
  ): Promise<Result<User>> {
    const minutes = settings.defaultAutoStopMinutes;
    const problem = minutes === null ? undefined : boundProblem("autoStopMinutes", minutes);
    if (problem) {
      return fail(errors.invalidInput([{ ...problem, field: "defaultAutoStopMinutes" }]));
    }
    const replaced = await this.replaceDefaultHardware(user, settings.defaultHardware, minutes);
    return replaced;
  }

  /** Sets the auto-stop of workspaces created without one; null: IDLE_TIMEOUT_MINUTES. */
  async setDefaultAutoStopMinutes(user: User, minutes: number | null): Promise<Result<User>> {
    const problem = minutes === null ? undefined : boundProblem("autoStopMinutes", minutes);
    if (problem) {
      return fail(errors.invalidInput([{ ...problem, field: "defaultAutoStopMinutes" }]));
    }
    const updated = await this.deps.prisma.user.update({
      where: { id: user.id },
      data: { defaultAutoStopMinutes: minutes, updatedAt: new Date() },
    });
    this.deps.revocations.userChanged(user.id);
    return ok(updated);
  }

  async replaceDefaultHardware(
    user: User,
    request: HardwareRequest,
    /** Given: the default auto-stop is replaced in the same write. */
    defaultAutoStopMinutes?: number | null,
  ): Promise<Result<User>> {
    const resolved = resolveHardware(request, null, this.deps.gpuKinds);
    if (!resolved.ok) return fail(errors.invalidHardware(resolved.problems, "defaultHardware"));
    const updated = await this.deps.prisma.user.update({
      where: { id: user.id },
      data: {
        defaultCpuKind: request.cpuKind ?? null,
        defaultCpus: request.cpus ?? null,
        defaultMemoryMb: request.memoryMb ?? null,
        defaultVolumeSizeGb: request.volumeSizeGb ?? null,
        defaultGpuKind: request.gpuKind ?? null,
        ...(defaultAutoStopMinutes === undefined ? {} : { defaultAutoStopMinutes }),
        updatedAt: new Date(),
      },
    });
    // Cached principals carry the user's defaults: drop them on every replica.
    this.deps.revocations.userChanged(user.id);
    return ok(updated);
  }
}
