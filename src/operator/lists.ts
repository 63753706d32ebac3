/**
 * The operator's list commands: every row, newest first, with what an operator needs to find
 * one (never a token's secret or hash). Listing is an operator's view, so it reads the tables
 * directly rather than through a user's authorisation rules.
 */
import { WorkspaceStatus } from "../generated/prisma/enums.js";
import { NEWEST_FIRST } from "../services/page.js";
import { UUID_PATTERN } from "../services/result.js";
import { labelsOf, parseLabelSelector } from "../services/workspace-policy.js";
import { filterWhere } from "../services/workspaces.js";
import {
  type OperatorContext,
  OperatorError,
  type Options,
  optional,
  required,
  unwrap,
} from "./context.js";

const STATUSES = Object.values(WorkspaceStatus);

const iso = (date: Date | null) => date?.toISOString() ?? null;

async function ownerId({ services }: OperatorContext, ref: string): Promise<string> {
  return unwrap(await services.users.find(ref), {}, ref).id;
}

export const listCommands = {
  async "user list"({ database }: OperatorContext) {
    const users = await database.prisma.user.findMany({
      orderBy: [...NEWEST_FIRST],
      select: {
        id: true,
        email: true,
        createdAt: true,
        _count: { select: { projects: true, tokens: true } },
      },
    });
    return {
      users: users.map((user) => ({
        id: user.id,
        email: user.email,
        created_at: iso(user.createdAt),
        projects: user._count.projects,
        tokens: user._count.tokens,
      })),
    };
  },

  async "project list"(context: OperatorContext, options: Options) {
    const owner = optional(options, "owner");
    const projects = await context.database.prisma.project.findMany({
      where: owner === undefined ? {} : { ownerId: await ownerId(context, owner) },
      orderBy: [...NEWEST_FIRST],
      select: {
        id: true,
        name: true,
        defaultBranch: true,
        createdAt: true,
        owner: { select: { id: true, email: true } },
        _count: { select: { workspaces: true } },
      },
    });
    return {
      projects: projects.map((project) => ({
        id: project.id,
        name: project.name,
        owner_id: project.owner.id,
        owner_email: project.owner.email,
        default_branch: project.defaultBranch,
        created_at: iso(project.createdAt),
        workspaces: project._count.workspaces,
      })),
    };
  },

  async "token list"(context: OperatorContext, options: Options) {
    const userId = await ownerId(context, required(options, "user"));
    // The service's own list (every token of the user: the operator is not a scoped caller).
    const tokens = await context.services.tokens.list(userId);
    return {
      tokens: tokens.map((token) => ({
        id: token.id,
        // An operator token made before names existed has "": shown as none.
        name: token.name || null,
        prefix: token.prefix,
        project_id: token.projectId,
        role: token.role,
        created_at: iso(token.createdAt),
        last_used_at: iso(token.lastUsedAt),
        expires_at: iso(token.expiresAt),
        revoked_at: iso(token.revokedAt),
      })),
    };
  },

  async "workspace list"({ database }: OperatorContext, options: Options) {
    const projectId = optional(options, "project");
    const status = optional(options, "status");
    if (projectId !== undefined && !UUID_PATTERN.test(projectId)) {
      throw new OperatorError(
        `--project must be a project id (a UUID), got ${JSON.stringify(projectId)}`,
      );
    }
    if (status !== undefined && !isStatus(status)) {
      throw new OperatorError(
        `--status must be one of ${STATUSES.join(", ")}, got ${JSON.stringify(status)}`,
      );
    }
    const labels: { key: string; value: string }[] = [];
    const selectors = Array.isArray(options.label) ? (options.label as string[]) : [];
    for (const selector of selectors) {
      const parsed = parseLabelSelector(selector);
      if (typeof parsed === "string") throw new OperatorError(`--${parsed}`);
      labels.push({ key: parsed[0], value: parsed[1] });
    }
    const workspaces = await database.prisma.workspace.findMany({
      where: { projectId, status, ...filterWhere({ labels }) },
      orderBy: [...NEWEST_FIRST],
      select: {
        id: true,
        projectId: true,
        status: true,
        desiredState: true,
        keepActive: true,
        machineId: true,
        errorMessage: true,
        labels: true,
        createdAt: true,
        updatedAt: true,
      },
    });
    return {
      workspaces: workspaces.map((workspace) => ({
        id: workspace.id,
        project_id: workspace.projectId,
        status: workspace.status,
        desired_state: workspace.desiredState,
        keep_active: workspace.keepActive,
        machine_id: workspace.machineId,
        error_message: workspace.errorMessage,
        labels: labelsOf(workspace),
        created_at: iso(workspace.createdAt),
        updated_at: iso(workspace.updatedAt),
      })),
    };
  },
} satisfies Record<string, (context: OperatorContext, options: Options) => Promise<object>>;

function isStatus(value: string): value is WorkspaceStatus {
  return (STATUSES as string[]).includes(value);
}
