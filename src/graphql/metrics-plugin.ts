/**
 * Counts GraphQL operations by name, type and result, and the subscriptions streaming now. An
 * envelop plugin, so HTTP, SSE and WebSocket operations (which go through getEnveloped) count
 * alike.
 */
import { type DocumentNode, type ExecutionResult, getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import { operationLabel, processMetrics } from "../metrics.js";

function labels(document: DocumentNode, operationName: string | null | undefined) {
  const operation = getOperationAST(document, operationName);
  return {
    operation: operationLabel(operation?.name?.value),
    type: operation?.operation ?? "unknown",
  };
}

const outcome = (result: ExecutionResult | AsyncIterable<unknown>) =>
  "errors" in result && result.errors?.length ? "error" : "ok";

export function useOperationMetrics(): Plugin {
  const { graphqlOperations, activeSubscriptions } = processMetrics;
  return {
    onExecute({ args }) {
      const operation = labels(args.document, args.operationName);
      return {
        onExecuteDone({ result }) {
          graphqlOperations.inc({ ...operation, result: outcome(result) });
        },
      };
    },
    onSubscribe({ args }) {
      const operation = labels(args.document, args.operationName);
      return {
        onSubscribeError() {
          graphqlOperations.inc({ ...operation, result: "error" });
        },
        onSubscribeResult({ result }) {
          if (!(Symbol.asyncIterator in result)) {
            // Refused before streaming (e.g. a workspace that is not the caller's).
            graphqlOperations.inc({ ...operation, result: outcome(result) });
            return;
          }
          graphqlOperations.inc({ ...operation, result: "ok" });
          activeSubscriptions.inc();
          return { onEnd: () => activeSubscriptions.dec() };
        },
      };
    },
  };
}
