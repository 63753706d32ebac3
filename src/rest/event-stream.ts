/**
 * Server-Sent Events for REST routes: a route answers `{status, events}` and this writes them as
 * `text/event-stream`, with heartbeat comments so that proxies keep an idle stream open.
 */
import { PassThrough } from "node:stream";
import type { FastifyReply } from "fastify";
import { releaseDatabaseShare } from "../http/caller-shares.js";

/** One event: `event: <event>` (omitted: a plain message) and its data, sent as one JSON line. */
export interface ServerSentEvent {
  event?: string;
  /** `id:` (what the client sends back as Last-Event-ID to resume). */
  id?: string;
  data: unknown;
}

/** A comment line this often while a stream is open (proxies drop connections idle for ~30–60 s). */
export const SSE_HEARTBEAT_MS = 15_000;

/** What a heartbeat looks like on the wire (a comment: EventSource ignores it). */
export const SSE_HEARTBEAT = ": keep-alive\n\n";

function format({ event, id, data }: ServerSentEvent): string {
  // JSON.stringify never emits a raw newline, so one `data:` line holds the whole object.
  const head = `${event ? `event: ${event}\n` : ""}${id ? `id: ${id}\n` : ""}`;
  return `${head}data: ${JSON.stringify(data)}\n\n`;
}

/**
 * Streams `events` to the client, each as it comes, until they end (the stream then ends too) or
 * the client goes away. The producer must stop on its own when the request's signal aborts
 * (the route context's `signal`): an async generator waiting for its next item cannot be
 * interrupted from outside.
 */
export function sendEventStream(
  reply: FastifyReply,
  events: AsyncIterable<ServerSentEvent>,
  headers: Record<string, string> = {},
): FastifyReply {
  // The route has read what it needed: the stream waits, holding no database connection.
  releaseDatabaseShare(reply.request.raw);
  const stream = new PassThrough();
  const write = (chunk: string) => {
    if (!stream.writableEnded && !stream.destroyed) stream.write(chunk);
  };
  const heartbeat = setInterval(() => write(SSE_HEARTBEAT), SSE_HEARTBEAT_MS);
  heartbeat.unref();
  stream.once("close", () => clearInterval(heartbeat));
  void (async () => {
    try {
      for await (const event of events) write(format(event));
    } catch (error) {
      reply.log.error({ err: error }, "event stream failed");
    } finally {
      clearInterval(heartbeat);
      if (!stream.destroyed) stream.end();
    }
  })();
  reply.code(200);
  reply.headers({
    ...headers,
    "cache-control": "no-store",
    // nginx and similar proxies would otherwise buffer the stream.
    "x-accel-buffering": "no",
  });
  return reply.type("text/event-stream; charset=utf-8").send(stream);
}
