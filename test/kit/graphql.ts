/**
 * GraphQL clients for the suites: typed documents (test/generated, `npm run codegen`) over real
 * HTTP, and graphql-ws over a real socket. Failures print the operation and the response body.
 */
import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";
import type { TypedDocumentString } from "../generated/graphql.js";

export interface GraphQLErrorJson {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export interface GraphQLResponse<Data> {
  status: number;
  headers: Headers;
  text: string;
  data: Data | null | undefined;
  errors: GraphQLErrorJson[] | undefined;
}

export interface GraphQLRequestOptions {
  /** Bearer token; `null` sends no Authorization header (the client's token otherwise). */
  token?: string | null;
  headers?: Record<string, string>;
}

/** A client on `${url}/graphql`, authenticated with `token` unless a request says otherwise. */
export function graphqlClient(url: string, token?: string) {
  async function execute<Data, Variables>(
    document: TypedDocumentString<Data, Variables>,
    variables?: Variables,
    options: GraphQLRequestOptions = {},
  ): Promise<GraphQLResponse<Data>> {
    const bearer = options.token === undefined ? token : options.token;
    const response = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/json",
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...options.headers,
      },
      body: JSON.stringify({ query: document.toString(), variables }),
    });
    const text = await response.text();
    let body: { data?: Data | null; errors?: GraphQLErrorJson[] } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: `text` tells.
    }
    return {
      status: response.status,
      headers: response.headers,
      text,
      data: body.data,
      errors: body.errors,
    };
  }

  /** The data of a request that must succeed: HTTP 200 and no errors. */
  async function data<Data, Variables>(
    document: TypedDocumentString<Data, Variables>,
    variables?: Variables,
    options?: GraphQLRequestOptions,
  ): Promise<Data> {
    const response = await execute(document, variables, options);
    if (response.status !== 200 || response.errors || !response.data) {
      throw new Error(
        `GraphQL request failed with HTTP ${response.status}\n` +
          `operation: ${document.toString().trim()}\n` +
          `variables: ${JSON.stringify(variables)}\n` +
          `response: ${response.text.slice(0, 2000)}`,
      );
    }
    return response.data;
  }

  return { execute, data };
}

export type GraphQLClient = ReturnType<typeof graphqlClient>;

/** The member of a result union, narrowed by __typename; fails with the whole value otherwise. */
export function member<Union extends { __typename?: string }, Name extends string>(
  value: Union,
  typename: Name,
): Extract<Union, { __typename?: Name }> {
  if (value.__typename !== typename) {
    throw new Error(`expected ${typename}, got ${JSON.stringify(value, null, 2)}`);
  }
  return value as Extract<Union, { __typename?: Name }>;
}

/**
 * A graphql-ws client (Node's `ws`) on `${url}/graphql` that connects at once, fails fast (no
 * retries) and records how its socket closed.
 */
export function graphqlWsClient(url: string, connectionParams: Record<string, unknown>) {
  const closes: { code: number; reason: string }[] = [];
  const client: Client = createClient({
    url: `${url.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => {},
    on: {
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: unknown };
        closes.push({ code, reason: String(reason) });
      },
    },
  });
  return { client, closes, dispose: () => client.dispose() };
}

/** Every result of one operation over graphql-ws until it completes (or the socket fails). */
export function collect<Data, Variables>(
  client: Client,
  document: TypedDocumentString<Data, Variables>,
  variables: Variables,
): Promise<{ results: { data?: Data | null; errors?: readonly GraphQLErrorJson[] }[] }> {
  return new Promise((resolve, reject) => {
    const results: { data?: Data | null; errors?: readonly GraphQLErrorJson[] }[] = [];
    client.subscribe<Data>(
      { query: document.toString(), variables: variables as Record<string, unknown> },
      {
        next: (result) =>
          results.push(result as { data?: Data | null; errors?: readonly GraphQLErrorJson[] }),
        error: (error) => reject(error),
        complete: () => resolve({ results }),
      },
    );
  });
}
