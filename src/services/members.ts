/**
 * A project's members and their roles (the access policy's data: access-policy.ts). Members are
 * added by email; an email without an account yet is kept as a pending membership that becomes
 * active when that user is created (UserService.create), so adding never reveals whether an
 * account exists. A project keeps at least one admin.
 */
import { z } from "zod";
import type { Prisma } from "../generated/prisma/client.js";
import { type Caller, callerUserId, type Role, roleAtLeast } from "./access-policy.js";
import type { ServiceDeps } from "./deps.js";
import type { ProjectService } from "./projects.js";
import { errors, fail, ok, type Result, UUID_PATTERN } from "./result.js";

export interface Member {
  /** null while pending (no account with this email yet). */
  userId: string | null;
  email: string;
  role: Role;
  addedAt: Date;
}

const emailSchema = z.email();

/** The most members (active and pending) one project may have. */
export const MEMBERS_PER_PROJECT_MAX = 1000;

const MEMBER = { userId: true, email: true, role: true, addedAt: true } as const;

export class MemberService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly projects: ProjectService,
  ) {}

  /** Every member of the project, admins first, then by when they were added. */
  async list(caller: Caller, projectId: string): Promise<Result<Member[]>> {
    const allowed = await this.projects.authorize(caller, projectId, "members.read");
    if (!allowed.ok) return allowed;
    const members = await this.deps.prisma.projectMember.findMany({
      where: { projectId },
      orderBy: [{ role: "desc" }, { addedAt: "asc" }, { email: "asc" }],
      select: MEMBER,
    });
    return ok(members);
  }

  /**
   * Adds (or re-roles) a member by email. The answer is the same whether the email has an
   * account or not: only the email and role come back.
   */
  async add(
    caller: Caller,
    projectId: string,
    input: { email: string; role: Role },
  ): Promise<Result<{ email: string; role: Role }>> {
    const allowed = await this.projects.authorize(caller, projectId, "members.manage");
    if (!allowed.ok) return allowed;
    const parsed = emailSchema.safeParse(input.email.trim());
    if (!parsed.success) {
      return fail(errors.invalidInput([{ field: "email", message: "must be an email address" }]));
    }
    const email = parsed.data.toLowerCase();
    const count = await this.deps.prisma.projectMember.count({ where: { projectId } });
    if (count >= MEMBERS_PER_PROJECT_MAX) {
      return fail(
        errors.invalidInput([
          { field: "email", message: `a project has at most ${MEMBERS_PER_PROJECT_MAX} members` },
        ]),
      );
    }
    const changed = await this.deps.prisma.$transaction(async (tx) => {
      const existing = await tx.projectMember.findUnique({
        where: { projectId_email: { projectId, email } },
        select: MEMBER,
      });
      if (existing) {
        if (existing.role === input.role) return null;
        const refused = await lastAdminRefusal(tx, projectId, existing, input.role);
        if (refused) return refused;
        await tx.projectMember.update({
          where: { projectId_email: { projectId, email } },
          data: { role: input.role },
        });
        return existing;
      }
      const user = await tx.user.findUnique({ where: { email }, select: { id: true } });
      await tx.projectMember.create({
        data: { projectId, email, userId: user?.id ?? null, role: input.role },
      });
      return null;
    });
    if (changed && "code" in changed) return fail(changed);
    if (changed?.userId && !roleAtLeast(input.role, changed.role)) {
      this.deps.revocations.membershipChanged(changed.userId, projectId);
    }
    return ok({ email, role: input.role });
  }

  /** Changes a member's role (`userId`, or the email of a pending one); never the last admin's. */
  async update(
    caller: Caller,
    projectId: string,
    userId: string,
    role: Role,
  ): Promise<Result<Member>> {
    const allowed = await this.projects.authorize(caller, projectId, "members.manage");
    if (!allowed.ok) return allowed;
    const where = memberKey(projectId, userId);
    const result = await this.deps.prisma.$transaction(async (tx) => {
      const member = await tx.projectMember.findUnique({ where, select: MEMBER });
      if (!member) return errors.memberNotFound();
      const refused = await lastAdminRefusal(tx, projectId, member, role);
      if (refused) return refused;
      const updated = await tx.projectMember.update({
        where,
        data: { role },
        select: MEMBER,
      });
      return { before: member, after: updated };
    });
    if ("code" in result) return fail(result);
    // Lowered: the member's open streams on the project end (they reconnect with the new role).
    if (result.before.userId && !roleAtLeast(role, result.before.role)) {
      this.deps.revocations.membershipChanged(result.before.userId, projectId);
    }
    return ok(result.after);
  }

  /** Removes a member: an admin may remove anyone, any member themself; never the last admin. */
  async remove(caller: Caller, projectId: string, userId: string): Promise<Result<Member>> {
    const self = callerUserId(caller) === userId.toLowerCase();
    const allowed = await this.projects.authorize(
      caller,
      projectId,
      self ? "members.read" : "members.manage",
    );
    if (!allowed.ok) return allowed;
    const where = memberKey(projectId, userId);
    const result = await this.deps.prisma.$transaction(async (tx) => {
      const member = await tx.projectMember.findUnique({ where, select: MEMBER });
      if (!member) return errors.memberNotFound();
      const refused = await lastAdminRefusal(tx, projectId, member, null);
      if (refused) return refused;
      await tx.projectMember.delete({ where });
      return member;
    });
    if ("code" in result) return fail(result);
    if (result.userId) this.deps.revocations.membershipChanged(result.userId, projectId);
    return ok(result);
  }
}

/** A member by user id, or (a pending one, without a user yet) by email. */
function memberKey(projectId: string, ref: string): Prisma.ProjectMemberWhereUniqueInput {
  return UUID_PATTERN.test(ref)
    ? { userId_projectId: { userId: ref.toLowerCase(), projectId } }
    : { projectId_email: { projectId, email: ref.trim().toLowerCase() } };
}

/**
 * LAST_ADMIN when `member` is an admin and would stop being one (`role` lower, or null: removed)
 * while no other admin is left. The admins' rows are locked first, so two admins demoting each
 * other at once cannot both succeed.
 */
async function lastAdminRefusal(
  tx: Prisma.TransactionClient,
  projectId: string,
  member: { email: string; role: Role },
  role: Role | null,
) {
  if (member.role !== "admin" || role === "admin") return undefined;
  const admins = await tx.$queryRaw<{ email: string }[]>`
    SELECT email FROM project_members
    WHERE project_id = ${projectId}::uuid AND role = 'admin' AND user_id IS NOT NULL
    FOR UPDATE`;
  const others = admins.filter((admin) => admin.email !== member.email);
  return others.length === 0 ? errors.lastAdmin() : undefined;
}
