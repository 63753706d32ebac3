/**
 * Relay connections whose database work is bounded by the page sizes asked for, however deep they
 * nest (project → workspaces → project → workspaces …) and however many rows the lists hold.
 *
 * Prisma's relation joins cut a nested list to its `take` only after building every row of it
 * (and every row of the lists nested under each), so a few levels of `first: 2` read the product
 * of the lists' lengths. Here each connection instead reads, for all its parents at one level in
 * one statement, at most `first + 1` (or `last + 1`) rows per parent: a LATERAL subquery with its
 * own ORDER BY … LIMIT over the list's (parent, created_at, id) index. A second statement loads
 * those rows with the selection Pothos plans under `edges.node` (nested relations joined in); a
 * third, only when `totalCount` is selected, counts each parent's rows with COUNT(*). A lone parent
 * (a list whose source offers `readOne`) reads its page in one statement: findMany with `take`.
 *
 * Paging follows the Relay cursor connections spec as GitHub applies it: `first` or `last` (not
 * both), each 1 to MAX_PAGE_SIZE, default DEFAULT_PAGE_SIZE rows from the start; a bad argument is
 * a BAD_USER_INPUT error that names it.
 */
import { queryFromInfo } from "@pothos/plugin-prisma";
import { type FieldNode, GraphQLError, type GraphQLResolveInfo } from "graphql";
import type { PrismaClient } from "../db/client.js";
import { Prisma } from "../generated/prisma/client.js";
import { decodeCursor, encodeCursor, type PagePosition } from "../services/page.js";
import type { GraphQLContext } from "./context.js";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./limits.js";

/** The Relay connection arguments as GraphQL passes them. */
export interface ConnectionArgs {
  first?: number | null | undefined;
  last?: number | null | undefined;
  after?: string | null | undefined;
  before?: string | null | undefined;
}

/** What the connection arguments say, checked. */
export interface Slice {
  /** `last`: the page is the end of the range, read backwards. */
  fromEnd: boolean;
  size: number;
  after: PagePosition | null;
  before: PagePosition | null;
}

/** The descriptions of the connection arguments (the builder gives them to every connection). */
export const CONNECTION_ARG_DESCRIPTIONS = {
  first: `The first n rows (after \`after\`, if given): 1 to ${MAX_PAGE_SIZE}. Not with \`last\`. Without \`first\` and \`last\`: the first ${DEFAULT_PAGE_SIZE}.`,
  last: `The last n rows (before \`before\`, if given), still in the list's order: 1 to ${MAX_PAGE_SIZE}. Not with \`first\`.`,
  after: "Only rows after this cursor (an edge's `cursor` or `pageInfo.endCursor` of this list).",
  before:
    "Only rows before this cursor (an edge's `cursor` or `pageInfo.startCursor` of this list).",
} as const;

function badInput(message: string, argument: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", argument } });
}

/** The arguments checked: a GraphQL error naming the first bad one. */
export function readSlice(args: ConnectionArgs): Slice {
  const { first, last } = args;
  if (first != null && last != null) {
    throw badInput("Pass `first` or `last`, not both.", "first");
  }
  for (const [name, value] of [
    ["first", first],
    ["last", last],
  ] as const) {
    if (value != null && (value < 1 || value > MAX_PAGE_SIZE)) {
      throw badInput(`\`${name}\` must be from 1 to ${MAX_PAGE_SIZE} (got ${value}).`, name);
    }
  }
  const position = (name: "after" | "before") => {
    const cursor = args[name];
    if (cursor == null) return null;
    const found = decodeCursor(cursor);
    if (!found) throw badInput(`\`${name}\` is not a cursor of this list.`, name);
    return found;
  };
  return {
    fromEnd: last != null,
    size: last ?? first ?? DEFAULT_PAGE_SIZE,
    after: position("after"),
    before: position("before"),
  };
}

/**
 * One list a connection pages through: newest first, per parent row. `Query` is the shape of
 * the Prisma selection Pothos plans for its rows (`include` or `select`).
 */
export interface ListSource<Node extends PagePosition, Query = object> {
  /** The table, and the GraphQL type of its rows. */
  table: "workspaces" | "projects";
  typeName: "Workspace" | "Project";
  /**
   * Where the rows come from, as SQL with alias `t`: the table itself, or joined to what links
   * it to its parent (a project to its members). The join must keep one row per `t` and parent.
   */
  from: Prisma.Sql;
  /** The column naming the parent row: `t.project_id`, or a joined table's (`m.user_id`). */
  parent: Prisma.Sql;
  /** More conditions on the rows (SQL over alias `t`), e.g. a status filter; empty for none. */
  filter: Prisma.Sql;
  /** A key that tells filters apart (rows are batched per filter). */
  filterKey: string;
  /** The rows with these ids, with what `query` (Pothos's plan) includes. */
  load(prisma: PrismaClient, ids: string[], query: Query): Promise<Node[]>;
  /**
   * Optional: one parent's page in one statement, the same rows `from`/`parent`/`filter` select,
   * matching `page.where`, in `page.orderBy`, at most `page.take`, with what `query` includes. A
   * lone parent (`project(id:) { workspaces }`, the usual page) then costs one statement, not two.
   */
  readOne?(
    prisma: PrismaClient,
    parentId: string,
    page: OnePage,
    query: Query,
    slice: Slice,
  ): Promise<Node[]>;
}

/** A page of one parent as Prisma arguments (any model with `createdAt` and `id`). */
export interface OnePage {
  where: { AND: PositionWhere[] };
  orderBy: [{ createdAt: "asc" | "desc" }, { id: "asc" | "desc" }];
  take: number;
}

type PositionWhere = {
  OR: [
    { createdAt: { lt: Date } | { gt: Date } },
    { createdAt: Date; id: { lt: string } | { gt: string } },
  ];
};

export interface Connection<Node> {
  edges: { cursor: string; node: Node }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

/** totalCount of each connection answered, read only when the field is selected. */
const totalCounts = new WeakMap<object, () => Promise<number>>();

/** The resolver of a connection's `totalCount`. */
export function totalCountOf(connection: object): Promise<number> {
  const count = totalCounts.get(connection);
  if (!count) throw new Error("totalCount of a connection not built by resolveConnection");
  return count();
}

/** The page of `parentId`'s list that `args` asks for; batched with its siblings at this level. */
export async function resolveConnection<Node extends PagePosition & { id: string }, Query>(
  source: ListSource<Node, Query>,
  parentId: string,
  args: ConnectionArgs,
  context: GraphQLContext,
  info: GraphQLResolveInfo,
): Promise<Connection<Node>> {
  const slice = readSlice(args);
  // Planned per call: Pothos records the plan's mappings under each call's own path, so the
  // relations it joins in (a workspace's `project`) answer from the loaded rows for every parent.
  const query = queryFromInfo({
    context,
    info,
    path: ["edges", "node"],
    typeName: source.typeName,
  }) as Query; // Pothos plans the selection for the source's own model.
  const pageKey = `${source.table}:${source.filterKey}:${JSON.stringify(slice)}`;
  // Siblings share the field's AST node; a different selection (or alias) is another batch.
  const pages = batcher(context, info.fieldNodes[0], pageKey, (parentIds) =>
    readPages(source, slice, parentIds, context.prisma, query),
  );
  const { rows, more } = await pages.load(parentId);
  // Read backwards for `last`; the rows are shared by every parent with the same id.
  const page = slice.fromEnd ? [...rows].reverse() : rows;
  // A cursor is encoded only if asked for (a page read without `cursor` skips 50 encodings).
  const edges = page.map((node) => ({
    node,
    get cursor() {
      return encodeCursor(node);
    },
  }));
  const connection: Connection<Node> = {
    edges,
    pageInfo: {
      // Read backwards, the extra row is before the page; a cursor means rows on its other side.
      hasNextPage: slice.fromEnd ? slice.before !== null : more,
      hasPreviousPage: slice.fromEnd ? more : slice.after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
  const countKey = `${source.table}:${source.filterKey}`;
  totalCounts.set(connection, () =>
    batcher(context, COUNTS, countKey, (parentIds) =>
      countRows(source, parentIds, context.prisma),
    ).load(parentId),
  );
  return connection;
}

/**
 * The page rows of every parent: one statement for where each page is (at most size + 1 rows per
 * parent, read in index order), one that loads those rows with the planned selection.
 */
async function readPages<Node extends PagePosition & { id: string }, Query>(
  source: ListSource<Node, Query>,
  slice: Slice,
  parentIds: string[],
  prisma: PrismaClient,
  query: Query,
): Promise<{ rows: Node[]; more: boolean }[]> {
  const [lone] = parentIds;
  if (source.readOne && lone !== undefined && parentIds.length === 1) {
    const rows = await source.readOne(prisma, lone, onePage(slice), query, slice);
    return [{ rows: rows.slice(0, slice.size), more: rows.length > slice.size }];
  }
  const { from: table, parent } = source;
  // In the list's order (newest first) a row after the cursor is older; `last` reads upwards.
  const after = slice.after
    ? Prisma.sql`AND (t.created_at, t.id) < (${slice.after.createdAt}, ${slice.after.id}::uuid)`
    : Prisma.empty;
  const before = slice.before
    ? Prisma.sql`AND (t.created_at, t.id) > (${slice.before.createdAt}, ${slice.before.id}::uuid)`
    : Prisma.empty;
  const order = Prisma.raw(slice.fromEnd ? "ASC" : "DESC");
  const positions = await prisma.$queryRaw<{ parent: string; id: string }[]>`
    SELECT parent.id::text AS parent, page.id::text AS id
    FROM unnest(${parentIds}::uuid[]) AS parent(id)
    CROSS JOIN LATERAL (
      SELECT t.id, t.created_at FROM ${table}
      WHERE ${parent} = parent.id ${source.filter} ${after} ${before}
      ORDER BY t.created_at ${order}, t.id ${order}
      LIMIT ${slice.size + 1}
    ) AS page
    ORDER BY parent.id, page.created_at ${order}, page.id ${order}`;
  // The row past the page only says that there is more: it is not loaded.
  const idsByParent = new Map<string, string[]>();
  const more = new Set<string>();
  for (const { parent: parentId, id } of positions) {
    const ids = idsByParent.get(parentId) ?? [];
    if (ids.length < slice.size) ids.push(id);
    else more.add(parentId);
    idsByParent.set(parentId, ids);
  }
  const ids = [...new Set([...idsByParent.values()].flat())];
  const nodes = ids.length === 0 ? [] : await source.load(prisma, ids, query);
  const byId = new Map(nodes.map((node) => [node.id, node]));
  return parentIds.map((parentId) => ({
    // A row deleted between the two statements is left out of its page.
    rows: (idsByParent.get(parentId) ?? []).flatMap((id) => byId.get(id) ?? []),
    more: more.has(parentId),
  }));
}

/** The page `slice` asks for as Prisma arguments: the LATERAL subquery's WHERE, ORDER BY, LIMIT. */
function onePage(slice: Slice): OnePage {
  const direction = slice.fromEnd ? "asc" : "desc";
  const where: PositionWhere[] = [];
  if (slice.after) where.push(beyond(slice.after, "lt"));
  if (slice.before) where.push(beyond(slice.before, "gt"));
  return {
    where: { AND: where },
    orderBy: [{ createdAt: direction }, { id: direction }],
    take: slice.size + 1,
  };
}

/** `(created_at, id) < (…)` (or `>`) as Prisma spells a row comparison. */
function beyond(position: PagePosition, op: "lt" | "gt"): PositionWhere {
  const than = <T>(value: T) => (op === "lt" ? { lt: value } : { gt: value });
  return {
    OR: [
      { createdAt: than(position.createdAt) },
      { createdAt: position.createdAt, id: than(position.id) },
    ],
  };
}

async function countRows<Node extends PagePosition, Query>(
  source: ListSource<Node, Query>,
  parentIds: string[],
  prisma: PrismaClient,
): Promise<number[]> {
  const { from: table, parent } = source;
  const counts = await prisma.$queryRaw<{ parent: string; count: number }[]>`
    SELECT ${parent}::text AS parent, COUNT(*)::int AS count FROM ${table}
    WHERE ${parent} = ANY(${parentIds}::uuid[]) ${source.filter}
    GROUP BY ${parent}`;
  const byParent = new Map(counts.map((row) => [row.parent, row.count]));
  return parentIds.map((id) => byParent.get(id) ?? 0);
}

/** The batches of one request, by what is loaded (a field's AST node, or COUNTS) and a key. */
const COUNTS: object = {};
const batches = new WeakMap<GraphQLContext, WeakMap<object, Map<string, Batcher<unknown>>>>();

interface Batcher<Value> {
  load(key: string): Promise<Value>;
}

/**
 * A DataLoader in a few lines: the keys asked for until the event loop turns are read in one
 * call, and each key is read once per request.
 */
function batcher<Value>(
  context: GraphQLContext,
  owner: FieldNode | object | undefined,
  key: string,
  read: (keys: string[]) => Promise<Value[]>,
): Batcher<Value> {
  let byOwner = batches.get(context);
  if (!byOwner) {
    byOwner = new WeakMap();
    batches.set(context, byOwner);
  }
  const ownerKey = owner ?? COUNTS;
  let byKey = byOwner.get(ownerKey);
  if (!byKey) {
    byKey = new Map();
    byOwner.set(ownerKey, byKey);
  }
  const found = byKey.get(key);
  if (found) return found as Batcher<Value>;
  const loaded = new Map<string, Promise<Value>>();
  let pending: { key: string; resolve(value: Value): void; reject(error: unknown): void }[] = [];
  const created: Batcher<Value> = {
    load(id) {
      const known = loaded.get(id);
      if (known) return known;
      const promise = new Promise<Value>((resolve, reject) => {
        if (pending.length === 0) setImmediate(dispatch);
        pending.push({ key: id, resolve, reject });
      });
      loaded.set(id, promise);
      return promise;
    },
  };
  function dispatch() {
    const batch = pending;
    pending = [];
    read(batch.map((entry) => entry.key)).then(
      (values) => {
        for (const [i, entry] of batch.entries()) entry.resolve(values[i] as Value);
      },
      (error: unknown) => {
        for (const entry of batch) entry.reject(error);
      },
    );
  }
  byKey.set(key, created as Batcher<unknown>);
  return created;
}
