/**
 * How the server logs: readable lines (pino-pretty, in-process) when stdout is a terminal, JSON
 * otherwise (for log collectors); one line per request, written when the response is sent.
 */
import {
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from "fastify";
import pretty from "pino-pretty";
import type { Env } from "./env.js";

/** Fastify's `logger` option for LOG_LEVEL, pretty on a terminal. */
export function loggerOptions(
  env: Pick<Env, "LOG_LEVEL">,
  terminal = process.stdout.isTTY === true,
): FastifyServerOptions["logger"] {
  if (env.LOG_LEVEL === "silent") return false;
  if (!terminal) return { level: env.LOG_LEVEL };
  return {
    level: env.LOG_LEVEL,
    // A stream in this thread rather than a transport worker: no extra thread, and lines
    // written just before exit are not lost.
    stream: pretty({
      colorize: true,
      sync: true,
      translateTime: "SYS:HH:MM:ss",
      ignore: "pid,hostname,reqId,method,url,status,ms",
    }),
  };
}

/**
 * One line per request instead of Fastify's two ("incoming request" and "request completed"):
 * method, URL, status and milliseconds, written when the response has been sent. Fastify's other
 * request-time logs (errors of its default handler, 404s) are kept.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const ms = Math.round(reply.elapsedTime * 10) / 10;
    const status = reply.statusCode;
    const line = { method: request.method, url: request.url, status, ms };
    const message = `${request.method} ${request.url} ${status} ${ms} ms`;
    if (error) request.log.error({ ...line, err: error }, message);
    else if (status >= 500) request.log.error(line, message);
    else request.log.info(line, message);
  }
}
