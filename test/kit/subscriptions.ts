/**
 * `workspaceStatus` subscriptions for the lifecycle suites: over graphql-ws (on a client from
 * `graphqlWsClient`) or SSE, each read into a StatusStream with bounded waits.
 */
import type { Client } from "graphql-ws";
import { waitFor } from "./wait.js";

export const WORKSPACE_STATUS = /* GraphQL */ `
  subscription WorkspaceStatus($id: ID!) {
    workspaceStatus(id: $id) { id status machineId privateIp gitRef errorMessage updatedAt }
  }
`;

/** The lifecycle order of GraphQL statuses along the happy paths. */
export const STATUS_ORDER = ["CREATING", "STARTING", "RUNNING", "STOPPING", "STOPPED"] as const;

/** The fields the suites select. */
export interface StatusPayload {
  id: string;
  status: string;
  machineId: string | null;
  privateIp: string | null;
  gitRef: string | null;
  errorMessage: string | null;
  updatedAt: string;
}

/** What one subscription has received so far. */
export class StatusStream {
  readonly events: StatusPayload[] = [];
  readonly errors: unknown[] = [];
  completed = false;
  private stop: () => void = () => {};

  statuses(): string[] {
    return this.events.map((event) => event.status);
  }

  last(): StatusPayload | undefined {
    return this.events.at(-1);
  }

  /** Waits (bounded) until the stream's latest status is `status`. */
  async until(status: string, timeoutMs = 20_000): Promise<StatusPayload> {
    return waitFor(
      () => {
        if (this.errors.length > 0) throw new Error(`stream failed: ${describe(this.errors)}`);
        const last = this.last();
        return last?.status === status ? last : undefined;
      },
      { timeoutMs, what: `status ${status} (got ${this.statuses().join(" → ") || "nothing"})` },
    );
  }

  /** Waits (bounded) for the server to end the stream (complete or error). */
  async ended(timeoutMs = 20_000): Promise<void> {
    await waitFor(() => this.completed || this.errors.length > 0, {
      timeoutMs,
      what: `the end of the stream (got ${this.statuses().join(" → ")})`,
    });
  }

  close(): void {
    this.stop();
  }

  /** @internal */
  attach(stop: () => void): void {
    this.stop = stop;
  }

  /** @internal */
  receive(result: { data?: unknown; errors?: unknown }): void {
    if (result.errors) this.errors.push(...(result.errors as unknown[]));
    const payload = (result.data as { workspaceStatus?: StatusPayload } | null | undefined)
      ?.workspaceStatus;
    if (payload) this.events.push(payload);
  }
}

function describe(errors: unknown[]): string {
  return errors
    .map((error) => (error instanceof Error ? error.message : JSON.stringify(error)))
    .join("; ");
}

/** `workspaceStatus` over graphql-ws on `client`. */
export function wsWatch(client: Client, id: string): StatusStream {
  const stream = new StatusStream();
  stream.attach(
    client.subscribe(
      { query: WORKSPACE_STATUS, variables: { id } },
      {
        next: (result) => stream.receive(result as { data?: unknown; errors?: unknown }),
        error: (error) => {
          stream.errors.push(
            error instanceof Error
              ? error
              : Array.isArray(error)
                ? { graphqlErrors: error }
                : { close: (error as { code?: number }).code },
          );
        },
        complete: () => {
          stream.completed = true;
        },
      },
    ),
  );
  return stream;
}

/** `workspaceStatus` over SSE: a POST with Accept: text/event-stream, parsed as it arrives. */
export function sseWatch(url: string, token: string, id: string): StatusStream {
  const stream = new StatusStream();
  const controller = new AbortController();
  stream.attach(() => controller.abort());
  void (async () => {
    const response = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: {
        accept: "text/event-stream",
        "content-type": "application/json",
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ query: WORKSPACE_STATUS, variables: { id } }),
      signal: controller.signal,
    });
    if (!response.ok || !response.body) {
      stream.errors.push({ status: response.status, body: await response.text() });
      return;
    }
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of response.body) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      let boundary = buffered.indexOf("\n\n");
      while (boundary >= 0) {
        handleSseEvent(stream, buffered.slice(0, boundary));
        buffered = buffered.slice(boundary + 2);
        boundary = buffered.indexOf("\n\n");
      }
    }
    stream.completed = true;
  })().catch((error: unknown) => {
    if (!controller.signal.aborted) stream.errors.push(error);
  });
  return stream;
}

function handleSseEvent(stream: StatusStream, block: string): void {
  let event = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
  }
  if (event === "complete") {
    stream.completed = true;
    return;
  }
  if (data.length === 0 || data.join("") === "") return;
  stream.receive(JSON.parse(data.join("\n")) as { data?: unknown; errors?: unknown });
}
