import { Prisma, type Project as ProjectRow } from "../../generated/prisma/client.js";
import { type Caller, scopeProjectId } from "../../services/access-policy.js";
import { effectiveDefaultHardware } from "../../services/users.js";
import { builder } from "../builder.js";
import { type ListSource, resolveConnection, totalCountOf } from "../connections.js";
import { requireCaller, requireViewer } from "../context.js";
import { InvalidHardwareError, unwrap } from "./errors.js";
import { Hardware, HardwareInput, hardwareRequest } from "./hardware.js";
import { Node } from "./node.js";
import { Project } from "./project.js";

/**
 * The projects a user is a member of (owned or shared), as the `projects` connection reads them:
 * through their memberships (one per user and project), only the token's project for a token
 * limited to one (access-policy.ts), so that every other project reads as missing.
 */
function projectsOf(
  caller: Caller,
): ListSource<ProjectRow, Pick<Prisma.ProjectFindManyArgs, "include" | "select">> {
  const scope = scopeProjectId(caller);
  return {
    table: "projects",
    typeName: "Project",
    from: Prisma.sql`"projects" AS t JOIN "project_members" AS m ON m.project_id = t.id`,
    parent: Prisma.sql`m.user_id`,
    filter: scope ? Prisma.sql`AND t.id = ${scope}::uuid` : Prisma.empty,
    filterKey: scope ?? "",
    load: (prisma, ids, query) => prisma.project.findMany({ ...query, where: { id: { in: ids } } }),
  };
}

export const User = builder.prismaObject("User", {
  description: "A user: you, as `viewer`.",
  interfaces: [Node],
  fields: (t) => ({
    id: t.exposeID("id", { description: "Your UUID, the same as REST's; also your Node id." }),
    email: t.exposeString("email", { description: "Your email address." }),
    defaultHardware: t.field({
      type: Hardware,
      description: "Your default hardware settings over the system default.",
      resolve: effectiveDefaultHardware,
    }),
    projects: t.connection(
      {
        description:
          "The projects you are a member of (yours and those shared with you; viewerRole says your role), newest first (ties by id). A token limited to a project sees only that one. Each page is read with its own LIMIT.",
        type: Project,
        resolve: (user, paging, context, info) =>
          resolveConnection(projectsOf(requireCaller(context)), user.id, paging, context, info),
      },
      {
        name: "ProjectConnection",
        fields: (t) => ({
          totalCount: t.int({
            description:
              "How many projects you are a member of in all (as the token sees them), not the page.",
            resolve: totalCountOf,
          }),
        }),
      },
      { name: "ProjectEdge" },
    ),
  }),
});

builder.queryField("viewer", (t) =>
  t.prismaField({
    type: User,
    description: "You: the user behind the Bearer token.",
    resolve: async (query, _root, _args, context) => {
      const viewer = requireViewer(context);
      const found = await context.services.users.find(viewer.id, query);
      // The user was deleted after the token was checked: as if the token were revoked.
      return found.ok ? found.value : requireViewer({ ...context, viewer: null });
    },
  }),
);

builder.mutationField("updateDefaultHardware", (t) =>
  t.field({
    type: User,
    description:
      "Replaces your default hardware: fields left out fall back to the system default (an empty input resets it). The input must be a valid configuration as a whole; PUT /user/settings does the same.",
    args: {
      input: t.arg({
        type: HardwareInput,
        required: true,
        description:
          "Your new defaults, as a whole: each field left out or null takes the system default.",
      }),
    },
    errors: {
      types: [InvalidHardwareError],
      union: {
        name: "UpdateDefaultHardwareResult",
        description: "You with your new defaults, or why nothing changed.",
      },
      result: {
        name: "UpdateDefaultHardwareSuccess",
        description: "Your default hardware was replaced.",
      },
      dataField: { name: "user", description: "You, with the new defaultHardware." },
    },
    resolve: async (_root, { input }, context) => {
      const viewer = requireViewer(context);
      return unwrap(
        await context.services.users.replaceDefaultHardware(viewer, hardwareRequest(input)),
      );
    },
  }),
);
