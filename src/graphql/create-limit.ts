/**
 * CREATE_RATE_LIMIT_PER_MINUTE for GraphQL: every `createWorkspace` field of a mutation counts,
 * aliased or in fragments. When the user's budget cannot cover them all, no create runs: a
 * document of creates only is refused before it runs (top-level RATE_LIMITED, HTTP 429, nothing
 * written); in a document that also holds other mutations those run, and each createWorkspace
 * answers RateLimitedError (see `createRefusal`). HTTP and WebSocket operations alike: both run
 * through yoga's envelop.
 */
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  getOperationAST,
  Kind,
  type SelectionSetNode,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import {
  type RateDecision,
  type RateLimit,
  rateLimitHeaders,
  rateLimitMessage,
} from "../http/rate-limits.js";
import type { GraphQLContext } from "./context.js";

const CREATE_FIELD = "createWorkspace";

/** How many times the operation selects Mutation.createWorkspace (aliases and fragments included). */
export function countCreates(document: DocumentNode, operationName?: string | null): number {
  return countMutationFields(document, operationName, (name) => name === CREATE_FIELD);
}

/** How many mutation fields other than createWorkspace (and `__typename`) the operation selects. */
export function countOtherMutations(document: DocumentNode, operationName?: string | null): number {
  return countMutationFields(
    document,
    operationName,
    (name) => name !== CREATE_FIELD && !name.startsWith("__"),
  );
}

function countMutationFields(
  document: DocumentNode,
  operationName: string | null | undefined,
  counts: (fieldName: string) => boolean,
): number {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== "mutation") return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  const count = (selectionSet: SelectionSetNode, visiting: ReadonlySet<string>): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (counts(selection.name.value)) total += 1;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        total += count(selection.selectionSet, visiting);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // A fragment cycle is a validation error; never loop on one.
        if (fragment && !visiting.has(name)) {
          total += count(fragment.selectionSet, new Set([...visiting, name]));
        }
      }
    }
    return total;
  };
  return count(operation.selectionSet, new Set());
}

/** Refusals that let the rest of their document run, by the operation's context. */
const refusals = new WeakMap<object, RateDecision>();

/**
 * The refusal createWorkspace answers as RateLimitedError, when this plugin let the other
 * mutations of its document run; undefined when creates may run.
 */
export function createRefusal(
  context: object,
): { message: string; retryAfterSeconds: number } | undefined {
  const decision = refusals.get(context);
  return (
    decision && {
      message: rateLimitMessage(decision),
      retryAfterSeconds: decision.resetSeconds,
    }
  );
}

/** The envelop plugin; the caller without a token is left to the resolvers' UNAUTHENTICATED. */
export function useCreateRateLimit(creates: RateLimit): Plugin<object, object, GraphQLContext> {
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const viewer = (args.contextValue as GraphQLContext).viewer;
      if (!viewer) return;
      const wanted = countCreates(args.document, args.operationName);
      if (wanted === 0) return;
      const decision = await creates.consume(`user:${viewer.id}`, wanted);
      if (decision.allowed) return;
      if (countOtherMutations(args.document, args.operationName) > 0) {
        refusals.set(args.contextValue, decision);
        return;
      }
      setResultAndStopExecution({
        errors: [
          new GraphQLError(rateLimitMessage(decision), {
            extensions: {
              code: "RATE_LIMITED",
              http: { status: 429, headers: rateLimitHeaders(decision) },
            },
          }),
        ],
      });
    },
  };
}
