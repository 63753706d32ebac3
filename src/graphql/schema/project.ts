import { NEWEST_FIRST, VISIBLE_WORKSPACES } from "../../services/workspaces.js";
import { builder } from "../builder.js";
import { requireViewer } from "../context.js";
import { WorkspaceStatus } from "./enums.js";
import { InvalidInputError, unwrap } from "./errors.js";
import { DateTime } from "./scalars.js";
import { Workspace } from "./workspace.js";

export const Project = builder.prismaObject("Project", {
  description: "A project of yours; workspaces are created in a project.",
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    defaultBranch: t.exposeString("defaultBranch"),
    createdAt: t.expose("createdAt", { type: DateTime }),
    workspaces: t.relatedConnection(
      "workspaces",
      {
        description: "Newest first; filtered by status when given.",
        type: Workspace,
        cursor: "id",
        totalCount: true,
        args: { status: t.arg({ type: WorkspaceStatus }) },
        query: ({ status }) => ({
          // DELETED is never the status of a row one can read: it matches nothing.
          where: {
            ...VISIBLE_WORKSPACES,
            ...(status === "deleted" ? { id: { in: [] } } : status ? { status } : {}),
          },
          orderBy: [...NEWEST_FIRST],
        }),
      },
      { name: "WorkspaceConnection" },
      { name: "WorkspaceEdge" },
    ),
  }),
});

builder.queryField("project", (t) =>
  t.prismaField({
    type: Project,
    nullable: true,
    description: "A project of yours; null when there is none with this id (or it is not yours).",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, { id }, context) => {
      const viewer = requireViewer(context);
      // `query` is the selection Pothos planned: nested fields load in the same statement.
      const found = await context.services.projects.getForUser(viewer.id, id, { ...query });
      return found.ok ? found.value : null;
    },
  }),
);

const CreateProjectInput = builder.inputType("CreateProjectInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: "1 to 200 characters" }),
    defaultBranch: t.string({ description: 'The git branch workspaces check out; default "main"' }),
  }),
});

builder.mutationField("createProject", (t) =>
  t.field({
    type: Project,
    args: { input: t.arg({ type: CreateProjectInput, required: true }) },
    errors: {
      types: [InvalidInputError],
      union: { name: "CreateProjectResult" },
      result: { name: "CreateProjectSuccess" },
      dataField: { name: "project" },
    },
    resolve: async (_root, { input }, context) =>
      unwrap(
        await context.services.projects.create(requireViewer(context).id, {
          name: input.name,
          defaultBranch: input.defaultBranch ?? undefined,
        }),
      ),
  }),
);
