/**
 * What one GraphQL document may ask of the gateway, checked before any resolver runs: the size of
 * the document (tokens, parsed under a cap so that no selection can overflow the parser's stack),
 * its shape (depth, aliases, directives: GraphQL Armor's validation rules, fragments included),
 * its cost (graphql-query-complexity: a connection multiplies its children by its page size, a
 * creating mutation costs a fixed share of the budget) and who may introspect the schema.
 *
 * Refusals are GraphQL errors with `extensions.code` and HTTP 400 (401 for anonymous
 * introspection), on HTTP, SSE and WebSocket alike: yoga's envelop runs these plugins for all three.
 * Longer than most files here on purpose: every GraphQL limit and its wording is in this one place.
 */
import { blockFieldSuggestionsPlugin } from "@escape.tech/graphql-armor-block-field-suggestions";
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesPlugin } from "@escape.tech/graphql-armor-max-directives";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  type ValidationContext,
  validate,
  visit,
} from "graphql";
import { type ComplexityEstimator, getComplexity } from "graphql-query-complexity";
import type { Plugin } from "graphql-yoga";
import type { Env } from "../env.js";
import type { Services } from "../services/index.js";
import { authenticationRefusal, bearerToken } from "../services/token-format.js";
import { LIST_LIMIT_MAX } from "../services/workspaces.js";
import type { GraphQLContext } from "./context.js";

/** Rows in a connection page when `first` is not given. */
export const DEFAULT_PAGE_SIZE = 20;
/** The most rows one connection page holds: a larger `first`/`last` is refused, as REST refuses a larger `limit`. */
export const MAX_PAGE_SIZE = LIST_LIMIT_MAX;

/** Who may introspect the schema and see "Did you mean …?" suggestions. */
export type IntrospectionPolicy = "authenticated" | "on" | "off";

/** The limits, from the GRAPHQL_* settings; 0 disables a limit. */
export interface GraphQLLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  maxCost: number;
  /** How many creating mutations (`create…`) fit in one document: their price follows from it. */
  maxCreates: number;
  introspection: IntrospectionPolicy;
}

/** The envelop plugins that enforce `limits`, in the order they must run. */
export function limitPlugins(
  limits: GraphQLLimits,
  services: Pick<Services, "tokens">,
): Plugin<GraphQLContext>[] {
  const plugins: Plugin<GraphQLContext>[] = [];
  // Armor's own "Syntax Error: …" is replaced by ours, with a code; validation rules report
  // instead of throwing, so the other validation errors still come back with it.
  if (limits.maxTokens > 0) {
    plugins.push(
      maxTokensPlugin({
        n: limits.maxTokens,
        onReject: [
          () => {
            throw refusal(
              "TOO_MANY_TOKENS",
              `The document has more than ${limits.maxTokens} tokens.`,
            );
          },
        ],
      }) as Plugin<GraphQLContext>,
    );
  }
  if (limits.maxDepth > 0) {
    plugins.push(
      maxDepthPlugin({
        n: limits.maxDepth,
        // Introspection counts, and fragments count by what they select (not as a level).
        ignoreIntrospection: false,
        flattenFragments: true,
        propagateOnRejection: false,
        onReject: [report("QUERY_TOO_DEEP", `Selections nest deeper than ${limits.maxDepth}.`)],
      }),
    );
  }
  if (limits.maxAliases > 0) {
    plugins.push(
      maxAliasesPlugin({
        n: limits.maxAliases,
        propagateOnRejection: false,
        onReject: [
          report("TOO_MANY_ALIASES", `The document has more than ${limits.maxAliases} aliases.`),
        ],
      }),
    );
  }
  if (limits.maxDirectives > 0) {
    plugins.push(
      maxDirectivesPlugin({
        n: limits.maxDirectives,
        propagateOnRejection: false,
        onReject: [
          report(
            "TOO_MANY_DIRECTIVES",
            `The document has more than ${limits.maxDirectives} directives.`,
          ),
        ],
      }),
    );
  }
  if (limits.introspection === "off") plugins.push(blockFieldSuggestionsPlugin({ mask: "" }));
  if (limits.introspection === "authenticated")
    plugins.push(hideSuggestionsFromAnonymous(services));
  plugins.push(gateBeforeExecution(limits), refusalsAre400());
  return plugins;
}

/** The codes of this module's refusals. */
const REFUSAL_CODES = new Set([
  "TOO_MANY_TOKENS",
  "QUERY_TOO_DEEP",
  "TOO_MANY_ALIASES",
  "TOO_MANY_DIRECTIVES",
  "QUERY_TOO_COMPLEX",
  "INTROSPECTION_DISABLED",
]);

/**
 * Yoga marks parse errors as GraphQL-over-HTTP "spec" errors, which `Accept: application/json`
 * clients get with 200: a refused document is a 400 for every client.
 */
function refusalsAre400(): Plugin<GraphQLContext> {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || !("errors" in result) || !result.errors) return;
      const errors = result.errors as readonly GraphQLError[];
      if (!errors.some(isRefusal)) return;
      setResult({
        ...(result as ExecutionResult),
        errors: errors.map((error) =>
          isRefusal(error) ? copy(error, { http: { status: 400, spec: false } }) : error,
        ),
      });
    },
  };
}

function isRefusal(error: GraphQLError): boolean {
  const { code, http } = error.extensions as { code?: unknown; http?: { spec?: boolean } };
  return typeof code === "string" && REFUSAL_CODES.has(code) && http?.spec !== false;
}

/** `error` with other extensions (or another message): yoga's errors may be cached, not mutated. */
function copy(error: GraphQLError, extensions: Record<string, unknown>, message = error.message) {
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, ...extensions },
  });
}

/**
 * Checks that need the variables or the caller, so not validation rules (yoga caches validation
 * per document): introspection by policy, then the cost. They run in envelop's onExecute and
 * onSubscribe, before any resolver.
 */
function gateBeforeExecution(limits: GraphQLLimits): Plugin<GraphQLContext> {
  const estimators = [costEstimator(limits)];
  const check = (args: ExecutionArgs): GraphQLError | null => {
    const context = args.contextValue as GraphQLContext;
    if (limits.introspection !== "on" && introspects(args)) {
      if (limits.introspection === "off") {
        return refusal("INTROSPECTION_DISABLED", "Introspection is disabled on this server.");
      }
      if (!context.viewer) {
        const { challenge } = authenticationRefusal(context.authorization);
        return new GraphQLError("Introspection needs a valid Bearer token.", {
          extensions: {
            code: "UNAUTHENTICATED",
            http: { status: 401, headers: { "WWW-Authenticate": challenge } },
          },
        });
      }
    }
    if (limits.maxCost <= 0) return null;
    let cost: number;
    try {
      cost = costOf(args, () =>
        getComplexity({
          estimators,
          schema: args.schema,
          query: args.document,
          variables: (args.variableValues ?? {}) as Record<string, unknown>,
          operationName: args.operationName ?? undefined,
          maxQueryNodes: MAX_QUERY_NODES,
        }),
      );
    } catch (error) {
      // Fragments that expand past the node cap are too complex; bad variables are not ours to
      // report: execution refuses them with graphql-js's own message.
      if (error instanceof GraphQLError && error.message === NODE_CAP_MESSAGE) {
        return refusal(
          "QUERY_TOO_COMPLEX",
          `The document expands to more than ${MAX_QUERY_NODES} selections.`,
        );
      }
      return null;
    }
    if (cost <= limits.maxCost) return null;
    return refusal(
      "QUERY_TOO_COMPLEX",
      `The document costs ${cost}, over the limit of ${limits.maxCost}: ask for smaller pages (first), fewer nested lists or fewer creations per request.`,
      { cost, maxCost: limits.maxCost },
    );
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}

/** graphql-query-complexity stops counting here (fragment spreads multiply selections). */
const MAX_QUERY_NODES = 10_000;
const NODE_CAP_MESSAGE = "Query exceeds the maximum allowed number of nodes.";

/**
 * The rows a connection page reads per parent: `first` or `last` (priced alike), else the
 * default page; clamped to 1..MAX_PAGE_SIZE (connections.ts refuses values outside it).
 */
function pageSize(args: Record<string, unknown>): number {
  const asked = [args.first, args.last].find((value) => typeof value === "number");
  const size = typeof asked === "number" ? asked : DEFAULT_PAGE_SIZE;
  return Math.min(Math.max(size, 1), MAX_PAGE_SIZE);
}

/**
 * The price of a field: 1, plus its children; a connection (a field with `first`/`last`) pays
 * for its children once per row of the page it asks for. That is what the database reads: every
 * connection, at any depth and also when reached again through `project`, reads at most its page
 * size (+1) rows per parent with its own LIMIT (connections.ts). A creating
 * mutation costs just over 1/(maxCreates + 1) of the budget, so maxCreates fit in one document
 * with room for their selections, and one more never does.
 */
function costEstimator({ maxCost, maxCreates }: GraphQLLimits): ComplexityEstimator {
  const createPrice = maxCreates > 0 ? Math.floor(maxCost / (maxCreates + 1)) + 1 : 1;
  return ({ type, field, args, childComplexity }) => {
    if (type.name === "Mutation" && field.name.startsWith("create")) {
      return createPrice + childComplexity;
    }
    if (field.args.some((arg) => arg.name === "first")) {
      return 1 + pageSize(args) * childComplexity;
    }
    return 1 + childComplexity;
  };
}

/**
 * Per parsed document (yoga's parser cache hands the same node to every request with the same
 * text): whether it introspects, and its cost per operation when no `first`/`last` comes from a
 * variable and no @include/@skip depends on one — then the variables cannot change the price,
 * and it is computed once.
 */
const byDocument = new WeakMap<
  DocumentNode,
  { introspects: boolean; pagedByVariable: boolean; costs: Map<string, number> }
>();

function documentFacts({ schema, document }: ExecutionArgs) {
  let facts = byDocument.get(document);
  if (!facts) {
    let pagedByVariable = false;
    visit(document, {
      Argument(node) {
        if (
          (node.name.value === "first" || node.name.value === "last") &&
          node.value.kind === Kind.VARIABLE
        ) {
          pagedByVariable = true;
        }
      },
      // @include(if: $x) / @skip(if: $x) decide which selections count.
      Directive(node) {
        if (node.arguments?.some((argument) => argument.value.kind === Kind.VARIABLE)) {
          pagedByVariable = true;
        }
      },
    });
    facts = {
      introspects: validate(schema, document, [NoSchemaIntrospectionCustomRule]).length > 0,
      pagedByVariable,
      costs: new Map(),
    };
    byDocument.set(document, facts);
  }
  return facts;
}

/** True when the operation selects `__schema` or `__type` (`__typename` is not introspection). */
function introspects(args: ExecutionArgs): boolean {
  return documentFacts(args).introspects;
}

function costOf(args: ExecutionArgs, compute: () => number): number {
  const facts = documentFacts(args);
  if (facts.pagedByVariable) return compute();
  const operation = args.operationName ?? "";
  let cost = facts.costs.get(operation);
  if (cost === undefined) {
    cost = compute();
    facts.costs.set(operation, cost);
  }
  return cost;
}

/**
 * "Did you mean …?" in validation errors names fields the caller never saw: only callers with a
 * valid token get it. The token is looked up only when a refused document carries a suggestion.
 * (Armor's block-field-suggestions plugin masks for everyone, in the errors yoga caches.)
 */
function hideSuggestionsFromAnonymous(services: Pick<Services, "tokens">): Plugin<GraphQLContext> {
  return {
    async onResultProcess({ request, result, setResult }) {
      if (Array.isArray(result) || !("errors" in result) || !result.errors) return;
      const errors = result.errors as readonly GraphQLError[];
      if (!errors.some((error) => SUGGESTION.test(error.message))) return;
      const token = bearerToken(request.headers.get("authorization"));
      if (token !== null && (await services.tokens.authenticate(token))) return;
      setResult({
        ...(result as ExecutionResult),
        errors: errors.map((error) =>
          SUGGESTION.test(error.message)
            ? copy(error, {}, error.message.replace(SUGGESTION, ""))
            : error,
        ),
      });
    },
  };
}

const SUGGESTION = /\s*Did you mean .+\?/;

/** A refusal of the document: HTTP 400 even for `Accept: application/json` clients. */
function refusal(code: string, message: string, details: Record<string, unknown> = {}) {
  return new GraphQLError(message, {
    extensions: { code, ...details, http: { status: 400, spec: false } },
  });
}

/** An Armor onReject callback that reports our error instead of Armor's. */
function report(code: string, message: string) {
  return (context: ValidationContext | null) => context?.reportError(refusal(code, message));
}

/** The limits the GRAPHQL_* settings ask for. */
export function limitsFromEnv(env: Env): GraphQLLimits {
  return {
    maxDepth: env.GRAPHQL_MAX_DEPTH,
    maxAliases: env.GRAPHQL_MAX_ALIASES,
    maxTokens: env.GRAPHQL_MAX_TOKENS,
    maxDirectives: env.GRAPHQL_MAX_DIRECTIVES,
    maxCost: env.GRAPHQL_MAX_COST,
    maxCreates: env.GRAPHQL_MAX_CREATES,
    introspection: env.GRAPHQL_INTROSPECTION,
  };
}
