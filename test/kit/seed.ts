import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../../src/db/client.js";
import type { Prisma, Project, User } from "../../src/generated/prisma/client.js";
import type { Services } from "../../src/services/index.js";
import { newPreviewToken } from "../../src/services/workspaces.js";
import { restClient } from "./rest.js";

export interface SeededUser {
  user: User;
  token: string;
  project: Project;
}

/** A new user with a token and a project; emails are unique so suites never collide. */
export async function seedUser(services: Services, label = "user"): Promise<SeededUser> {
  const created = await services.users.create(`${label}-${randomUUID()}@example.com`);
  if (!created.ok) throw new Error(created.error.message);
  const { token } = await services.tokens.issue(created.value.id);
  const project = await services.projects.create(created.value.id, { name: `${label} project` });
  if (!project.ok) throw new Error(project.error.message);
  return { user: created.value, token, project: project.value };
}

/**
 * A workspace row to insert directly, past the service: settled (keep_active, no work for an
 * engine in a stable status) with small valid hardware; `overrides` set what the test is about.
 */
export function workspaceRow(
  projectId: string,
  overrides: Partial<Prisma.WorkspaceUncheckedCreateInput> = {},
): Prisma.WorkspaceUncheckedCreateInput {
  return {
    projectId,
    status: "running",
    keepActive: true,
    cpuKind: "shared",
    cpus: 1,
    memoryMb: 1024,
    volumeSizeGb: 1,
    previewToken: newPreviewToken(),
    ...overrides,
  };
}

/**
 * A new workspace (status creating) that no engine may touch until `release()`: the test holds
 * its lease, so a watcher subscribes before the first step without racing it.
 */
export async function heldWorkspace(
  services: Services,
  prisma: PrismaClient,
  projectId: string,
  overrides: Partial<Prisma.WorkspaceUncheckedCreateInput> = {},
) {
  const workspace = await prisma.workspace.create({
    data: workspaceRow(projectId, {
      status: "creating",
      keepActive: false,
      leaseOwner: HELD,
      leaseExpiresAt: new Date(Date.now() + 10 * 60_000),
      ...overrides,
    }),
  });
  return {
    workspace,
    /** Hands the row to the engine and wakes it. */
    async release() {
      const [row] = await prisma.workspace.updateManyAndReturn({
        where: { id: workspace.id, leaseOwner: HELD },
        data: { leaseOwner: null, leaseExpiresAt: null },
      });
      if (row) services.status.changed(row);
    },
  };
}

const HELD = "test:held";

/**
 * Four users: `admin` owns a project where `viewer` and `developer` were added over REST with
 * those roles; `outsider` is no member of it.
 */
export async function seedTeam(server: { url: string; services: Services }) {
  const [admin, viewer, developer, outsider] = await Promise.all(
    ["admin", "viewer", "developer", "outsider"].map((label) => seedUser(server.services, label)),
  );
  if (!admin || !viewer || !developer || !outsider) throw new Error("no team");
  const api = restClient(server.url);
  for (const [member, role] of [
    [viewer, "viewer"],
    [developer, "developer"],
  ] as const) {
    const added = await api.post(`/projects/${admin.project.id}/members`, {
      token: admin.token,
      json: { email: member.user.email, role },
    });
    if (added.status !== 201) throw new Error(`adding the ${role}: ${added.status}`);
  }
  return { admin, viewer, developer, outsider };
}
