/**
 * Global object identification (the Relay spec): `Node`, `node(id:)` and `nodes(ids:)`. Ids stay
 * the REST UUIDs, so an id does not say its type: it is looked up among the caller's workspaces and
 * projects (in parallel, one statement each, for every id at once) and compared with the caller's
 * own id. The access rules are those of `workspace(id:)`, `project(id:)` and `viewer`: the
 * access policy's (services/access-policy.ts) read rule, membership within the token's project.
 */
import { GraphQLError } from "graphql";
import type { Project, User, Workspace } from "../../generated/prisma/client.js";
import { memberProjects } from "../../services/projects.js";
import { UUID_PATTERN } from "../../services/result.js";
import { VISIBLE_WORKSPACES, visibleTo } from "../../services/workspaces.js";
import { builder } from "../builder.js";
import { type GraphQLContext, requireCaller, requireViewer } from "../context.js";

/** The most ids one `nodes` call takes: the same bound as a connection page. */
export const NODES_MAX = 100;

type NodeValue = Workspace | Project | User;

/** The object type of a row: each model has a column the others lack. */
function typeOf(value: NodeValue): "Workspace" | "Project" | "User" {
  if ("previewToken" in value) return "Workspace";
  if ("ownerId" in value) return "Project";
  return "User";
}

export const Node = builder.interfaceRef<NodeValue>("Node").implement({
  description:
    "An object that can be fetched again by its id alone (`node(id:)`): Workspace, Project and User. Ids are the same UUIDs as in REST.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "Globally unique: no two objects share an id." }),
  }),
  resolveType: typeOf,
});

/** The objects among `ids` the caller may read, by id; others (and malformed ids) are absent. */
async function findNodes(
  context: GraphQLContext,
  ids: readonly string[],
): Promise<Map<string, NodeValue>> {
  const viewer = requireViewer(context);
  // The access policy's read rule: a member's projects and their workspaces (within the token's).
  const caller = requireCaller(context);
  const wanted = [...new Set(ids.filter((id) => UUID_PATTERN.test(id)).map(lower))];
  const found = new Map<string, NodeValue>();
  if (wanted.length === 0) return found;
  const [workspaces, projects] = await Promise.all([
    context.prisma.workspace.findMany({
      where: { id: { in: wanted }, ...VISIBLE_WORKSPACES, ...visibleTo(caller) },
    }),
    context.prisma.project.findMany({ where: { id: { in: wanted }, ...memberProjects(caller) } }),
  ]);
  for (const row of [...workspaces, ...projects]) found.set(row.id, row);
  if (wanted.includes(viewer.id)) found.set(viewer.id, viewer);
  return found;
}

const lower = (id: string) => id.toLowerCase();

builder.queryField("node", (t) =>
  t.field({
    type: Node,
    nullable: true,
    description:
      "The workspace, project or user with this id, if you may read it: null for someone else's object, a missing one, or an id that is not a UUID (the same answer for all three).",
    args: {
      id: t.arg.id({ required: true, description: "A Workspace, Project or User id." }),
    },
    resolve: async (_root, { id }, context) =>
      (await findNodes(context, [id])).get(lower(id)) ?? null,
  }),
);

builder.queryField("nodes", (t) =>
  t.field({
    type: [Node],
    nullable: { list: false, items: true },
    description: `The objects with these ids, in the order asked, each null where node(id:) would be null. At most ${NODES_MAX} ids (BAD_USER_INPUT above).`,
    args: {
      ids: t.arg.idList({
        required: true,
        description: `Up to ${NODES_MAX} Workspace, Project or User ids; a repeated id is answered again.`,
      }),
    },
    resolve: async (_root, { ids }, context) => {
      requireViewer(context);
      if (ids.length > NODES_MAX) {
        throw new GraphQLError(`ids must hold at most ${NODES_MAX} ids (got ${ids.length})`, {
          extensions: { code: "BAD_USER_INPUT", argument: "ids" },
        });
      }
      const found = await findNodes(context, ids);
      return ids.map((id) => found.get(lower(id)) ?? null);
    },
  }),
);
