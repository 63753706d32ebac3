/**
 * The workspace lists GraphQL pages through (Project.workspaces, User.workspaces): one connection
 * type, the SQL each list reads its pages with (connections.ts), and WorkspaceFilter checked as
 * REST checks ?status= and ?label=k=v (services/workspace-policy.ts), so both doors accept and
 * refuse the same filters and list the same rows.
 */
import { GraphQLError } from "graphql";
import { statementsFor } from "../../db/statements.js";
import { readWorkspacePage } from "../../db/workspace-page.js";
import {
  Prisma,
  type WorkspaceStatus as Status,
  type Workspace as WorkspaceRow,
} from "../../generated/prisma/client.js";
import { type Caller, callerUserId, scopeProjectId } from "../../services/access-policy.js";
import { labelKeyProblem, labelValueProblem } from "../../services/workspace-policy.js";
import { VISIBLE_WORKSPACES } from "../../services/workspaces.js";
import { builder } from "../builder.js";
import { type ListSource, totalCountOf } from "../connections.js";
import type { LabelShape } from "./policy-types.js";
import { Workspace } from "./workspace.js";

export const WorkspaceConnection = builder.connectionObject(
  {
    type: Workspace,
    name: "WorkspaceConnection",
    fields: (t) => ({
      totalCount: t.int({
        description: "How many rows the whole list has (with its filters), not the page.",
        resolve: totalCountOf,
      }),
    }),
  },
  { name: "WorkspaceEdge" },
);

export const FILTER_ARG_DESCRIPTION =
  "Only workspaces with any of `status` and all of `labels` (REST's ?status= and ?label=k=v); a malformed label is BAD_USER_INPUT naming it.";

/** WorkspaceFilter as GraphQL passes it (null: left out). */
export interface FilterInput {
  status?: readonly (Status | "deleted")[] | null | undefined;
  labels?: readonly LabelShape[] | null | undefined;
}

/** A list filter, checked: the statuses (any of) and label pairs (all of) to match. */
interface ListFilter {
  /** null: any status; DELETED is no row's status, so it matches none. */
  status: Status[] | null;
  labels: LabelShape[];
}

/**
 * The filter the arguments ask for; a GraphQL error naming the first malformed label (the
 * message REST's 400 gives for the same ?label=). Empty lists do not filter, as in REST.
 */
export function readFilter(
  filter: FilterInput | null | undefined,
  status?: Status | "deleted" | null,
): ListFilter {
  for (const { key, value } of filter?.labels ?? []) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(key, value);
    if (problem) {
      throw new GraphQLError(problem, {
        extensions: { code: "BAD_USER_INPUT", argument: "filter.labels" },
      });
    }
  }
  const anyOf = filter?.status?.length ? filter.status : null;
  // The older `status` argument narrows further: both must hold.
  const statuses =
    status != null ? (anyOf ?? [status]).filter((s) => s === status) : (anyOf ?? null);
  return {
    status: statuses?.filter((s): s is Status => s !== "deleted") ?? null,
    labels: [...(filter?.labels ?? [])].map(({ key, value }) => ({ key, value })),
  };
}

/**
 * The filter as SQL over alias `t`: visible rows, `status = ANY(…)`, and one jsonb containment
 * `labels @> '[{"key":…,"value":…}]'` that the GIN index workspaces_labels_idx serves (the
 * statement REST's filterWhere makes through Prisma).
 */
function filterSql(filter: ListFilter): Prisma.Sql {
  const parts = [Prisma.sql`AND t.desired_state <> 'deleted'`];
  if (filter.status) {
    parts.push(Prisma.sql`AND t.status = ANY(${filter.status}::text[]::"WorkspaceStatus"[])`);
  }
  if (filter.labels.length > 0) {
    parts.push(Prisma.sql`AND t.labels @> ${JSON.stringify(filter.labels)}::jsonb`);
  }
  return Prisma.join(parts, " ");
}

type PlannedWorkspaces = Pick<Prisma.WorkspaceFindManyArgs, "include" | "select">;

const loadVisible: ListSource<WorkspaceRow, PlannedWorkspaces>["load"] = (prisma, ids, query) =>
  prisma.workspace.findMany({ ...query, where: { ...VISIBLE_WORKSPACES, id: { in: ids } } });

/** A project's workspaces, filtered (the project was read through the caller's membership). */
export function projectWorkspaces(filter: ListFilter): ListSource<WorkspaceRow, PlannedWorkspaces> {
  return {
    table: "workspaces",
    typeName: "Workspace",
    from: Prisma.sql`"workspaces" AS t`,
    parent: Prisma.sql`t.project_id`,
    filter: filterSql(filter),
    filterKey: `project:${JSON.stringify(filter)}`,
    load: loadVisible,
    // A lone project's page in one statement (connections.ts): the rows filterSql selects. The
    // plan Pothos makes for the bench's page (every field and the project) is one named statement
    // (db/workspace-page.ts); any other plan (nested lists under each row) goes through Prisma.
    readOne: (prisma, projectId, page, query, slice) => {
      const withProject = plannedProject(query);
      if (withProject !== null) {
        return readWorkspacePage(statementsFor(prisma), {
          projectId,
          status: filter.status,
          labels: filter.labels,
          after: slice.after,
          before: slice.before,
          fromEnd: slice.fromEnd,
          take: page.take,
          withProject,
        }).then((found) => found.rows);
      }
      return prisma.workspace.findMany({
        ...query,
        where: {
          ...VISIBLE_WORKSPACES,
          projectId,
          ...(filter.status ? { status: { in: filter.status } } : {}),
          ...(filter.labels.length > 0
            ? {
                labels: { array_contains: filter.labels.map(({ key, value }) => ({ key, value })) },
              }
            : {}),
          ...page.where,
        },
        orderBy: page.orderBy,
        take: page.take,
      });
    },
  };
}

/**
 * Whether Pothos's plan for a page's rows is the columns alone (false) or the columns and each
 * row's project (true, `include: { project: true }`); null for any other plan.
 */
function plannedProject(query: PlannedWorkspaces): boolean | null {
  if (query.select) return null;
  const include = query.include;
  if (!include) return false;
  const keys = Object.keys(include);
  if (keys.length === 0) return false;
  return keys.length === 1 && include.project === true ? true : null;
}

/**
 * The caller's workspaces across every project they are a member of (REST's GET /workspaces):
 * through their memberships (one per user and project), only the token's project for a token
 * limited to one.
 */
export function memberWorkspaces(
  caller: Caller,
  filter: ListFilter,
): ListSource<WorkspaceRow, PlannedWorkspaces> {
  const scope = scopeProjectId(caller);
  const user = callerUserId(caller);
  return {
    table: "workspaces",
    typeName: "Workspace",
    from: Prisma.sql`"workspaces" AS t JOIN "project_members" AS m ON m.project_id = t.project_id`,
    parent: Prisma.sql`m.user_id`,
    // Only the caller's own list: another user's id (a parent reached some other way) is empty.
    filter: Prisma.sql`${filterSql(filter)} AND m.user_id = ${user}::uuid ${
      scope ? Prisma.sql`AND t.project_id = ${scope}::uuid` : Prisma.empty
    }`,
    // Apart from projectWorkspaces' keys: totalCount batches by table and key.
    filterKey: `member:${user}:${scope ?? ""}:${JSON.stringify(filter)}`,
    load: loadVisible,
  };
}
