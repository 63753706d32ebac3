import { builder } from "../builder.js";
import { resolveConnection } from "../connections.js";
import { requireCaller } from "../context.js";
import { WorkspaceStatus } from "./enums.js";
import { ForbiddenError, IdempotencyConflictError, InvalidInputError, unwrap } from "./errors.js";
import { Node } from "./node.js";
import { WorkspaceFilter } from "./policy-types.js";
import { DateTime } from "./scalars.js";
import { Workspace } from "./workspace.js";
import {
  FILTER_ARG_DESCRIPTION,
  projectWorkspaces,
  readFilter,
  WorkspaceConnection,
} from "./workspace-lists.js";

export const Project = builder.prismaObject("Project", {
  description: "A project of yours; workspaces are created in a project.",
  interfaces: [Node],
  fields: (t) => ({
    id: t.exposeID("id", {
      description: "The project's UUID, the same as REST's; also its Node id.",
    }),
    name: t.exposeString("name", { description: "Its name, 1 to 200 characters." }),
    defaultBranch: t.exposeString("defaultBranch", {
      description: "The git branch its workspaces check out.",
    }),
    createdAt: t.expose("createdAt", { type: DateTime, description: "When it was created." }),
    workspaces: t.connection(
      {
        description:
          "Its workspaces, newest first (ties by id), filtered by `status` and `filter` when given (both hold). Each page is read with its own LIMIT, however deep it is nested.",
        type: Workspace,
        args: {
          status: t.arg({
            type: WorkspaceStatus,
            description: "Only workspaces with this status; DELETED matches none.",
          }),
          filter: t.arg({ type: WorkspaceFilter, description: FILTER_ARG_DESCRIPTION }),
        },
        resolve: (project, { status, filter, ...paging }, context, info) =>
          resolveConnection(
            projectWorkspaces(readFilter(filter, status)),
            project.id,
            paging,
            context,
            info,
          ),
      },
      WorkspaceConnection,
    ),
  }),
});

builder.queryField("project", (t) =>
  t.prismaField({
    type: Project,
    nullable: true,
    description: "A project of yours; null when there is none with this id (or it is not yours).",
    args: { id: t.arg.id({ required: true, description: "The project's id." }) },
    resolve: async (query, _root, { id }, context) => {
      // `query` is the selection Pothos planned: nested fields load in the same statement.
      const found = await context.services.projects.getForUser(requireCaller(context), id, {
        ...query,
      });
      return found.ok ? found.value : null;
    },
  }),
);

const CreateProjectInput = builder.inputType("CreateProjectInput", {
  description: "The project to create. A field left out or null takes its default.",
  fields: (t) => ({
    name: t.string({ required: true, description: "1 to 200 characters (trimmed)." }),
    defaultBranch: t.string({
      description: 'The git branch workspaces check out. Left out or null: "main".',
    }),
    idempotencyKey: t.string({
      description:
        "1 to 255 characters, else InvalidInputError. The same key with the same input (after " +
        "defaults) answers the first create's project (replayed: true) and creates nothing; with " +
        "different input, IdempotencyConflictError. Kept for at least 24 hours; shared with " +
        "REST's Idempotency-Key and with createWorkspace (a key names one request of yours).",
    }),
  }),
});

/** Projects answered by a replay (the success type's `replayed` reads it). */
const replayedProjects = new WeakSet<object>();

builder.mutationField("createProject", (t) =>
  t.field({
    type: Project,
    description:
      "Creates a project of yours (you are its first admin). A token limited to one project, or capped at VIEWER, gets ForbiddenError.",
    args: {
      input: t.arg({ type: CreateProjectInput, required: true, description: "What to create." }),
    },
    errors: {
      types: [InvalidInputError, IdempotencyConflictError, ForbiddenError],
      union: {
        name: "CreateProjectResult",
        description: "The created (or replayed) project, or why nothing was created.",
      },
      result: {
        name: "CreateProjectSuccess",
        description: "The project was created, or this was a replay of its create.",
        fields: (t) => ({
          replayed: t.boolean({
            description:
              "true: an earlier create with the same idempotencyKey made this project, and it is answered as it is now (nothing new was created); false: created by this request.",
            resolve: (project) => replayedProjects.has(project),
          }),
        }),
      },
      dataField: {
        name: "project",
        description: "The project: new, or for a replay the first create's, as it is now.",
      },
    },
    resolve: async (_root, { input }, context) => {
      const created = await context.services.projects.createOnce(requireCaller(context), {
        name: input.name,
        defaultBranch: input.defaultBranch,
        idempotencyKey: input.idempotencyKey,
      });
      const { project, replayed } = unwrap(created);
      if (!replayed) return project;
      // The stored response is the project as it was then; caches must not go back.
      const now = await context.services.projects.getForUser(requireCaller(context), project.id);
      const current = now.ok ? now.value : project;
      replayedProjects.add(current);
      return current;
    },
  }),
);
