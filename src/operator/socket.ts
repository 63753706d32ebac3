/**
 * The embedded database admits one process, the server; while it runs, the CLI's operator
 * commands are sent to it over a Unix socket in the data directory (owner-only, like it).
 */
import { existsSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { join, resolve } from "node:path";
import {
  isOperatorCommand,
  type OperatorCommand,
  type OperatorContext,
  OperatorError,
  type Options,
  operatorCommands,
} from "./commands.js";

/** Where the server that holds `dataDir` listens for operator commands. */
export function operatorSocketPath(dataDir: string): string {
  return join(resolve(dataDir), "gateway.sock");
}

/** Serves the operator's commands (migrations included) for the CLI, as this process's own. */
export async function listenOperatorSocket(
  dataDir: string,
  context: OperatorContext,
): Promise<Server> {
  const path = operatorSocketPath(dataDir);
  // Left by a process that died; the data directory's lock says no one else owns it.
  if (existsSync(path)) rmSync(path);
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let status = 200;
    let body: unknown;
    try {
      const { command, options } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      if (!isOperatorCommand(command)) throw new OperatorError("unknown command");
      body = await operatorCommands[command](context, options ?? {});
    } catch (error) {
      status = error instanceof OperatorError ? 400 : 500;
      body = { error: error instanceof OperatorError ? error.message : "internal error" };
    }
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((done, failed) => {
    server.once("error", failed);
    server.listen({ path, readableAll: false, writableAll: false }, done);
  });
  return server;
}

/** Runs `command` in the server that holds `dataDir`. */
export function sendOperatorCommand(
  dataDir: string,
  command: OperatorCommand,
  options: Options,
): Promise<object> {
  return new Promise((done, failed) => {
    const req = request(
      { socketPath: operatorSocketPath(dataDir), method: "POST", path: "/" },
      async (res) => {
        const chunks: Buffer[] = [];
        for await (const chunk of res) chunks.push(chunk as Buffer);
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        if (res.statusCode === 200) done(body);
        else failed(new OperatorError(body.error));
      },
    );
    req.on("error", (error) =>
      failed(
        new OperatorError(
          `DATA_DIR ${dataDir} is held by a running server that did not answer on ${operatorSocketPath(dataDir)} (${error.message})`,
        ),
      ),
    );
    req.end(JSON.stringify({ command, options }));
  });
}
