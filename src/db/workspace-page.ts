/**
 * A page of one project's workspaces as one named prepared statement: REST's
 * `GET /projects/:id/workspaces` and GraphQL's `project(id:) { workspaces }` read their page here.
 * Through Prisma the same page cost more CPU than everything else in the request (its query
 * compiler, its result mapping and the project joined as JSON per row; `node --cpu-prof` of the
 * bench's gql-read); here `pg` returns the columns as the rows Prisma would give.
 *
 * One statement text per shape of the request (which filters and cursors it has), so each text
 * stays a plan PostgreSQL can serve from the (project_id, created_at, id) index or, with a label
 * filter, from the labels GIN index, as the Prisma query it replaces.
 */
import type { Project, Workspace, WorkspaceStatus } from "../generated/prisma/client.js";
import type { PagePosition } from "../services/page.js";
import { WORKSPACE_COLUMNS } from "./create-workspace.js";
import type { NamedStatement, StatementRunner } from "./statements.js";

export interface WorkspacePageQuery {
  projectId: string;
  /**
   * Only when this user is a member of the project (and a token limited to one project is
   * limited to this one): otherwise no page at all (`found: false`). Left out: the caller has
   * read the project through its membership already.
   */
  access?: { userId: string; scopeProjectId: string | null };
  /** Any of these statuses; null: any. */
  status: readonly WorkspaceStatus[] | null;
  /** All of these labels (jsonb containment); empty: any. */
  labels: readonly { key: string; value: string }[];
  /** Only rows after (older than) this position in the newest-first list. */
  after: PagePosition | null;
  /** Only rows before (newer than) this position. */
  before: PagePosition | null;
  /** Read from the oldest end (a `last` page), else from the newest. */
  fromEnd: boolean;
  take: number;
  /** Each row's `project` set (one object shared by the page's rows), as Prisma's include gives. */
  withProject: boolean;
}

export type PagedWorkspace = Workspace & { project?: Project };

const PROJECT_COLUMNS = `p.id AS "p_id", p.owner_id AS "p_ownerId", p.name AS "p_name",
  p.default_branch AS "p_defaultBranch", p.created_at AS "p_createdAt"`;

const statements = new Map<string, NamedStatement>();

/** The statement for this shape of query, and its values in order. */
function statementFor(query: WorkspacePageQuery): { statement: NamedStatement; values: unknown[] } {
  const values: unknown[] = [query.projectId, query.take];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const conditions: string[] = [];
  let shape = "";
  let projectFrom = "projects p WHERE p.id = $1::uuid";
  if (query.access) {
    shape += "m";
    const user = param(query.access.userId);
    const scope = param(query.access.scopeProjectId);
    projectFrom = `projects p JOIN project_members m ON m.project_id = p.id AND m.user_id = ${user}::uuid
    WHERE p.id = $1::uuid AND (${scope}::uuid IS NULL OR ${scope}::uuid = p.id)`;
  }
  if (query.status) {
    shape += "s";
    conditions.push(`AND status = ANY(${param(query.status)}::text[]::"WorkspaceStatus"[])`);
  }
  if (query.labels.length > 0) {
    shape += "l";
    conditions.push(`AND labels @> ${param(JSON.stringify(query.labels))}::jsonb`);
  }
  for (const [name, position, op] of [
    ["a", query.after, "<"],
    ["b", query.before, ">"],
  ] as const) {
    if (!position) continue;
    shape += name;
    const at = param(position.createdAt);
    const id = param(position.id);
    conditions.push(`AND (created_at, id) ${op} (${at}::timestamptz, ${id}::uuid)`);
  }
  const order = query.fromEnd ? "ASC" : "DESC";
  shape += query.fromEnd ? "u" : "d";
  if (query.withProject) shape += "p";
  const name = `wg_workspace_page_v1_${shape}`;
  let statement = statements.get(name);
  if (!statement) {
    // The project row (through the membership when asked) LEFT JOINed to its page: no row at all
    // when the project is not the caller's, one row of nulls when its page is empty.
    statement = {
      name,
      text: `SELECT w.*${query.withProject ? `, ${PROJECT_COLUMNS}` : ""}
  FROM (SELECT p.* FROM ${projectFrom}) p
  LEFT JOIN LATERAL (
    SELECT ${WORKSPACE_COLUMNS} FROM workspaces
    WHERE project_id = p.id AND desired_state <> 'deleted' ${conditions.join(" ")}
    ORDER BY created_at ${order}, id ${order}
    LIMIT $2::int
  ) w ON true`,
    };
    statements.set(name, statement);
  }
  return { statement, values };
}

/**
 * The page (at most `take` rows, in the order asked), or `found: false` when `access` is given and
 * the project is not one the caller may read (missing reads the same).
 */
export async function readWorkspacePage(
  runner: StatementRunner,
  query: WorkspacePageQuery,
): Promise<{ found: boolean; rows: PagedWorkspace[] }> {
  const { statement, values } = statementFor(query);
  const result = await runner.query<Record<string, unknown>>(statement, values);
  const [first] = result;
  if (!first) return { found: false, rows: [] };
  if (first.id === null) return { found: true, rows: [] };
  const project: Project | undefined = query.withProject
    ? {
        id: first.p_id as string,
        ownerId: first.p_ownerId as string,
        name: first.p_name as string,
        defaultBranch: first.p_defaultBranch as string,
        createdAt: first.p_createdAt as Date,
      }
    : undefined;
  // The project's columns stay on each row beside it (nothing reads them): copying 40 columns
  // per row without them cost more than the whole page's GraphQL completion.
  if (project) for (const row of result) row.project = project;
  return { found: true, rows: result as unknown as PagedWorkspace[] };
}
