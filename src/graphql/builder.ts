import SchemaBuilder from "@pothos/core";
import ErrorsPlugin from "@pothos/plugin-errors";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import { IS_PRODUCTION } from "../env.js";
import type PrismaTypes from "../generated/pothos-types.js";
import { getDatamodel } from "../generated/pothos-types.js";
import { CONNECTION_ARG_DESCRIPTIONS } from "./connections.js";
import type { GraphQLContext } from "./context.js";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./limits.js";

/** The one schema builder: Prisma-backed objects, Relay connections, result unions for errors. */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  PrismaTypes: PrismaTypes;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
}>({
  // Errors before Prisma, so that `errors` works on the Prisma field builders too.
  plugins: [ErrorsPlugin, PrismaPlugin, RelayPlugin],
  defaultFieldNullability: false,
  prisma: {
    // Per request: every app (and every test server) has its own database.
    client: (context) => context.prisma,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    // Every connection page is bounded; a larger `first` is capped (hasNextPage says there is more).
    defaultConnectionSize: DEFAULT_PAGE_SIZE,
    maxConnectionSize: MAX_PAGE_SIZE,
    onUnusedQuery: IS_PRODUCTION ? null : "warn",
  },
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    edgesFieldOptions: {
      nullable: { list: false, items: false },
      description: "The rows of this page, in the list's order.",
    },
    nodeFieldOptions: { nullable: false, description: "The row." },
    cursorFieldOptions: {
      description:
        "Where this row is in the list: pass it as `after` (or `before`) for the rows past it.",
    },
    pageInfoFieldOptions: { description: "Where this page is in the whole list." },
    pageInfoTypeOptions: {
      description: "Where a page is in its list (Relay cursor connections).",
    },
    hasNextPageFieldOptions: { description: "true: there are rows after this page." },
    hasPreviousPageFieldOptions: { description: "true: there are rows before this page." },
    startCursorFieldOptions: {
      description: "The cursor of the page's first row; null when empty.",
    },
    endCursorFieldOptions: { description: "The cursor of the page's last row; null when empty." },
    defaultConnectionTypeOptions: {
      description: "One page of a list (a Relay cursor connection).",
    },
    defaultEdgeTypeOptions: { description: "One row of a page, with its cursor." },
    // Every connection pages alike (connections.ts checks these limits).
    firstArgOptions: { description: CONNECTION_ARG_DESCRIPTIONS.first },
    lastArgOptions: { description: CONNECTION_ARG_DESCRIPTIONS.last },
    afterArgOptions: { description: CONNECTION_ARG_DESCRIPTIONS.after },
    beforeArgOptions: { description: CONNECTION_ARG_DESCRIPTIONS.before },
  },
  errors: { defaultTypes: [] },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
