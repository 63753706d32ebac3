/**
 * HEAD and OPTIONS, with every Accept a client may send, over every route the server has (the
 * OpenAPI document's, /graphql with a query and a subscription, the probes, the console): never a
 * 5xx. Fastify answers HEAD through each GET route; /graphql once gave 500 there for an event
 * stream (a web Response that a HEAD route could not send).
 */
import { describe, expect, it } from "vitest";
import { embeddedDatabase } from "./kit/database.js";
import { seedRestUser } from "./kit/rest.js";
import { workspaceRow } from "./kit/seed.js";
import { useServer } from "./kit/server.js";

const ACCEPTS = [
  undefined,
  "*/*",
  "application/json",
  "application/graphql-response+json",
  "text/event-stream",
  "text/html",
  "multipart/mixed",
] as const;

interface Answer {
  method: string;
  path: string;
  accept: string;
  token: boolean;
  status: number;
}

describe("HEAD and OPTIONS over every route", () => {
  const server = useServer(embeddedDatabase);

  it("never answer 5xx, whatever the Accept, with or without a token", async () => {
    const { api, token, project } = await seedRestUser(server, "sweep");
    const workspace = await server.database.prisma.workspace.create({
      data: workspaceRow(project.id),
    });
    const document = (await api.get("/openapi.json")).json as { paths: Record<string, unknown> };
    const ids: Record<string, string> = { id: workspace.id };
    const fill = (path: string) =>
      path
        .replace(/^\/projects\/\{id\}/, `/projects/${project.id}`)
        .replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? crypto.randomUUID());
    const restPaths = Object.keys(document.paths).map(fill);
    expect(restPaths.length).toBeGreaterThan(5);
    const query = encodeURIComponent("{ viewer { id } }");
    const subscription = encodeURIComponent(
      `subscription { workspaceStatus(id: "${workspace.id}") { id status } }`,
    );
    const paths = [
      ...restPaths,
      "/openapi.json",
      "/graphql",
      `/graphql?query=${query}`,
      `/graphql?query=${subscription}`,
      "/healthz",
      "/readyz",
      "/metrics",
      "/",
      "/favicon.ico",
      "/no-such-route",
    ];

    const answers: Answer[] = [];
    const broken: string[] = [];
    for (const path of paths) {
      for (const method of ["HEAD", "OPTIONS"]) {
        for (const accept of ACCEPTS) {
          for (const withToken of [false, true]) {
            const headers: Record<string, string> = {};
            if (accept) headers.accept = accept;
            if (withToken) headers.authorization = `Bearer ${token}`;
            const controller = new AbortController();
            // A broken answer (not HTTP/1.1) counts as a failure too: status 0.
            const status = await fetch(`${server.url}${path}`, {
              method,
              headers,
              signal: controller.signal,
            }).then(
              (response) => response.status,
              (error: Error) => {
                broken.push(`${method} ${path} (${accept}): ${String(error.cause ?? error)}`);
                return 0;
              },
            );
            // An answer that streams must not keep the sweep waiting.
            controller.abort();
            answers.push({ method, path, accept: accept ?? "none", token: withToken, status });
          }
        }
      }
    }
    expect(answers).toHaveLength(paths.length * 2 * ACCEPTS.length * 2);
    expect(broken).toEqual([]);
    expect(answers.filter((answer) => answer.status >= 500 || answer.status === 0)).toEqual([]);
    // The request of the report answers at all (the sweep reached it).
    const reported = answers.find(
      (answer) =>
        answer.method === "HEAD" &&
        answer.path === `/graphql?query=${query}` &&
        answer.accept === "text/event-stream",
    );
    expect(reported?.status).toBeLessThan(500);
  }, 120_000);
});
