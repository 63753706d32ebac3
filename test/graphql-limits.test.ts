/**
 * What one GraphQL document may ask for over HTTP (src/graphql/limits.ts): each limit at n
 * (answered) and n + 1 (refused with HTTP 400 and a code, before any resolver or SQL), the
 * attacks that found them, introspection and suggestions by caller, and the page-size pricing.
 *
 * The apps run over real HTTP on one in-memory database whose every statement is logged, without
 * the lifecycle engine (`app.http.listen`, not `app.start`): its sweeps would add statements.
 */
import type { AddressInfo } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { getIntrospectionQuery } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, buildApp } from "../src/app.js";
import { type Database, wrapPglite } from "../src/db/client.js";
import { parseEnv } from "../src/env.js";
import { seedUser, workspaceRow } from "./kit/seed.js";

let statements: string[] | undefined;
let pglite: PGlite;
let database: Database;
const apps: App[] = [];

/** An app with these settings over the logged database, listening on a free port. */
async function serve(settings: Record<string, string> = {}) {
  const app = await buildApp({
    env: parseEnv({ PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", ...settings }),
    database,
  });
  apps.push(app);
  await app.http.listen({ port: 0, host: "127.0.0.1" });
  const url = `http://127.0.0.1:${(app.http.server.address() as AddressInfo).port}`;
  return { app, url };
}

interface Answer<Data = Record<string, unknown>> {
  status: number;
  body: {
    data?: Data | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
  /** The SQL statements the request ran. */
  ran: string[];
  ms: number;
}

/** POSTs a document as GraphQL clients do (`Accept: application/graphql-response+json`). */
async function post<Data = Record<string, unknown>>(
  url: string,
  query: string,
  token?: string,
  variables?: object,
  accept = "application/graphql-response+json, application/json",
): Promise<Answer<Data>> {
  statements = [];
  const started = performance.now();
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  const ran = statements;
  statements = undefined;
  return { status: response.status, body, ran, ms: performance.now() - started };
}

function expectRefused(answer: Answer, code: string, status = 400) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body.data ?? null).toBeNull();
  expect(answer.body.errors?.map((error) => error.extensions?.code)).toEqual([code]);
}

function expectAnswered(answer: Answer) {
  expect(answer.body.errors, JSON.stringify(answer.body.errors)).toBeUndefined();
  expect(answer.status).toBe(200);
}

beforeAll(async () => {
  pglite = await PGlite.create();
  database = await wrapPglite(pglite, { migrate: true, onQuery: (sql) => statements?.push(sql) });
});

afterAll(async () => {
  for (const app of apps) await app.stop();
  await database?.close();
  await pglite?.close();
});

/** `{ viewer { id id … } }` with `fields` fields: 5 + fields tokens. */
const viewerFields = (fields: number) => `{ viewer { ${Array(fields).fill("id").join(" ")} } }`;

describe("each limit at n and n + 1 (small settings)", () => {
  let app: App;
  let url: string;
  let token: string;
  let projectId: string;
  beforeAll(async () => {
    ({ app, url } = await serve({
      GRAPHQL_MAX_DEPTH: "5",
      GRAPHQL_MAX_ALIASES: "3",
      GRAPHQL_MAX_TOKENS: "50",
      GRAPHQL_MAX_DIRECTIVES: "2",
      // viewer → projects(first: n) → edges → node → id costs 2 + 3n: n = 20 fits.
      GRAPHQL_MAX_COST: "62",
      // Each create costs floor(62 / 3) + 1 = 21, plus its selection.
      GRAPHQL_MAX_CREATES: "2",
      GRAPHQL_INTROSPECTION: "off",
    }));
    const seeded = await seedUser(app.services, "limits");
    token = seeded.token;
    projectId = seeded.project.id;
  });

  it("tokens: 50 answered, 51 refused (TOO_MANY_TOKENS)", async () => {
    expectAnswered(await post(url, viewerFields(45), token));
    expectRefused(await post(url, viewerFields(46), token), "TOO_MANY_TOKENS");
  });

  it("depth: 5 answered, 6 refused (QUERY_TOO_DEEP), fragments counted by what they select", async () => {
    expectAnswered(
      await post(url, "{ viewer { projects(first: 1) { edges { node { id } } } } }", token),
    );
    expectRefused(
      await post(
        url,
        "{ viewer { projects(first: 1) { edges { node { workspaces { totalCount } } } } } }",
        token,
      ),
      "QUERY_TOO_DEEP",
    );
    // The same depth 6 hidden in fragments.
    const fragments =
      "query { viewer { ...P } } fragment P on User { projects(first: 1) { edges { ...N } } } " +
      "fragment N on ProjectEdge { node { workspaces { totalCount } } }";
    expectRefused(await post(url, fragments, token), "QUERY_TOO_DEEP");
  });

  it("aliases: 3 answered, 4 refused (TOO_MANY_ALIASES)", async () => {
    expectAnswered(await post(url, "{ viewer { a: id b: id c: id } }", token));
    expectRefused(
      await post(url, "{ viewer { a: id b: id c: id d: id } }", token),
      "TOO_MANY_ALIASES",
    );
  });

  it("directives: 2 answered, 3 refused (TOO_MANY_DIRECTIVES)", async () => {
    expectAnswered(
      await post(url, "{ viewer { id @include(if: true) email @skip(if: false) } }", token),
    );
    expectRefused(
      await post(
        url,
        "{ viewer { id @include(if: true) email @skip(if: false) @include(if: true) } }",
        token,
      ),
      "TOO_MANY_DIRECTIVES",
    );
  });

  it("refusals are 400 for plain `Accept: application/json` clients too", async () => {
    const json = "application/json";
    expectRefused(await post(url, viewerFields(46), token, {}, json), "TOO_MANY_TOKENS");
    expectRefused(
      await post(url, "{ viewer { a: id b: id c: id d: id } }", token, {}, json),
      "TOO_MANY_ALIASES",
    );
    const page = "{ viewer { projects(first: 21) { edges { node { id } } } } }";
    expectRefused(await post(url, page, token, {}, json), "QUERY_TOO_COMPLEX");
  });

  it("cost: a connection pays per row of its page: first 20 answered, 21 refused; none is priced as 20", async () => {
    const page =
      "query ($first: Int) { viewer { projects(first: $first) { edges { node { id } } } } }";
    expectAnswered(await post(url, page, token, { first: 20 }));
    const over = await post(url, page, token, { first: 21 });
    expectRefused(over, "QUERY_TOO_COMPLEX");
    expect(over.body.errors?.[0]?.extensions).toMatchObject({ cost: 65, maxCost: 62 });
    expectAnswered(await post(url, page, token, {}));
    // One more field per row: 2 + 4 × 20 (the default page size) = 82.
    const wider = "{ viewer { projects { edges { node { id name } } } } }";
    const byDefault = await post(url, wider, token);
    expectRefused(byDefault, "QUERY_TOO_COMPLEX");
    expect(byDefault.body.errors?.[0]?.extensions).toMatchObject({ cost: 82 });
  });

  it("cost: 2 createWorkspace in one document answered, 3 refused with no row written", async () => {
    const creates = (n: number) =>
      `mutation { ${Array.from(
        { length: n },
        (_, i) => `c${i}: createWorkspace(input: { projectId: "${projectId}" }) { __typename }`,
      ).join(" ")} }`;
    const rows = () => database.prisma.workspace.count({ where: { projectId } });
    expectAnswered(await post(url, creates(2), token));
    expect(await rows()).toBe(2);
    const refused = await post(url, creates(3), token);
    expectRefused(refused, "QUERY_TOO_COMPLEX");
    expect(await rows()).toBe(2);
  });

  it("GRAPHQL_INTROSPECTION=off: refused even with a token (INTROSPECTION_DISABLED), no suggestions", async () => {
    expectRefused(
      await post(url, "{ __schema { queryType { name } } }", token),
      "INTROSPECTION_DISABLED",
    );
    expectRefused(
      await post(url, '{ __type(name: "User") { name } }', token),
      "INTROSPECTION_DISABLED",
    );
    const typo = await post(url, "{ viewer { emial } }", token);
    expect(typo.status).toBe(400);
    expect(typo.body.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });
});

describe("the attacks, on the default settings", () => {
  let app: App;
  let url: string;
  let token: string;
  let projectId: string;
  /** The statements of an authenticated request that reads nothing: authentication alone. */
  let baseline: string[];

  beforeAll(async () => {
    ({ app, url } = await serve());
    const seeded = await seedUser(app.services, "attacks");
    token = seeded.token;
    projectId = seeded.project.id;
    await database.prisma.workspace.createMany({
      data: Array.from({ length: 10 }, () => workspaceRow(projectId)),
    });
    await post(url, "{ __typename }", token); // the token's first use writes last_used_at
    baseline = (await post(url, "{ __typename }", token)).ran;
  });

  /** A refusal: fast, and no statement besides authentication (none reads a project). */
  function expectNoWork(answer: Answer) {
    expect(answer.ran).toEqual(baseline);
    expect(answer.ran.join("\n")).not.toMatch(/"(projects|workspaces)"/);
    expect(answer.ms).toBeLessThan(2000);
  }

  let nested = "id";
  for (let i = 0; i < 5; i++) nested = `project { workspaces { edges { node { ${nested} } } } }`;
  const NESTED = `query ($id: ID!) { project(id: $id) { workspaces { edges { node { ${nested} } } } } }`;

  it("the 5× nested project → workspaces query is refused by depth, without reading a row", async () => {
    const answer = await post(url, NESTED, token, { id: projectId });
    expectRefused(answer, "QUERY_TOO_DEEP");
    expectNoWork(answer);
  });

  it("with the depth limit off, the cost limit refuses the same query, without reading a row", async () => {
    const { url: noDepth } = await serve({ GRAPHQL_MAX_DEPTH: "0", GRAPHQL_INTROSPECTION: "on" });
    await post(noDepth, "{ __typename }", token);
    const answer = await post(noDepth, NESTED, token, { id: projectId });
    expectRefused(answer, "QUERY_TOO_COMPLEX");
    expectNoWork(answer);

    // GRAPHQL_INTROSPECTION=on: anonymous callers may introspect there.
    const anonymous = await post(noDepth, "{ __schema { queryType { name } } }");
    expectAnswered(anonymous);
  });

  it("8,000 aliases of a 100-row page are refused, without reading a row", async () => {
    const bomb = `{ ${Array.from(
      { length: 8000 },
      (_, i) =>
        `a${i}: project(id: "${projectId}") { workspaces(first: 100) { edges { node { id } } } }`,
    ).join(" ")} }`;
    const answer = await post(url, bomb, token);
    expect(answer.status).toBe(400);
    expect(["TOO_MANY_TOKENS", "TOO_MANY_ALIASES"]).toContain(
      answer.body.errors?.[0]?.extensions?.code,
    );
    expectNoWork(answer);
  });

  it("1,000 aliased createWorkspace fields create nothing; 5 are answered and 6 refused", async () => {
    const owner = await seedUser(app.services, "creates");
    const creates = (n: number) =>
      `mutation { ${Array.from(
        { length: n },
        (_, i) =>
          `c${i}: createWorkspace(input: { projectId: "${owner.project.id}" }) { __typename ... on CreateWorkspaceSuccess { workspace { id status } } }`,
      ).join(" ")} }`;
    const rows = () => database.prisma.workspace.count({ where: { projectId: owner.project.id } });
    const bomb = await post(url, creates(1000), owner.token);
    expect(bomb.status).toBe(400);
    expect(await rows()).toBe(0);

    expectAnswered(await post(url, creates(5), owner.token));
    expect(await rows()).toBe(5);
    expectRefused(await post(url, creates(6), owner.token), "QUERY_TOO_COMPLEX");
    expect(await rows()).toBe(5);
  });

  it("a 10,000-deep selection is a 400, not a stack overflow", async () => {
    const deep = `${"{ viewer ".repeat(10_000)}${"}".repeat(10_000)}`;
    const answer = await post(url, deep, token);
    expectRefused(answer, "TOO_MANY_TOKENS");
    expectNoWork(answer);
  });

  it("fragments that double at each level (2^14 selections in 15 fragments) are refused", async () => {
    const fragments = Array.from(
      { length: 14 },
      (_, i) => `fragment F${i + 1} on User { ...F${i} ...F${i} }`,
    );
    const bomb = `query { viewer { ...F14 } } fragment F0 on User { id } ${fragments.join(" ")}`;
    const answer = await post(url, bomb, token);
    expectRefused(answer, "QUERY_TOO_COMPLEX");
    // Their cost (about 16,400) is under the limit: the cap on expanded selections refuses them.
    expect(answer.body.errors?.[0]?.message).toMatch(/expands to more than 10000 selections/);
    expectNoWork(answer);
  });

  it("circular fragments are refused (400), not followed", async () => {
    const answer = await post(
      url,
      "query { viewer { ...A } } fragment A on User { projects { edges { node { id } } } ...B } fragment B on User { id ...A }",
      token,
    );
    expect(answer.status).toBe(400);
    expect(
      answer.body.errors?.some((error) =>
        /Cannot spread fragment "A" within itself/.test(error.message),
      ),
    ).toBe(true);
    expectNoWork(answer);
  });

  it("`first` over 100 is refused with BAD_USER_INPUT (the pagination suite pins the cap)", async () => {
    const answer = await post(
      url,
      "query ($id: ID!) { project(id: $id) { workspaces(first: 100000) { totalCount edges { node { id } } } } }",
      token,
      { id: projectId },
    );
    expect(answer.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(answer.body.errors?.[0]?.message).toMatch(/`first` must be from 1 to 100/);
  });

  it("introspection: refused anonymously (401), answered with a token, the full query GraphiQL sends", async () => {
    const anonymous = await post(url, getIntrospectionQuery());
    expectRefused(anonymous, "UNAUTHENTICATED", 401);
    // Hidden in a fragment, under an alias: still introspection.
    const hidden = await post(
      url,
      'query { ...F } fragment F on Query { t: __type(name: "User") { name } }',
    );
    expectRefused(hidden, "UNAUTHENTICATED", 401);

    const withToken = await post<{ __schema: { queryType: { name: string } } }>(
      url,
      getIntrospectionQuery(),
      token,
    );
    expectAnswered(withToken);
    expect(withToken.body.data?.__schema.queryType.name).toBe("Query");
  });

  it("field suggestions: hidden from anonymous callers, shown with a token", async () => {
    const anonymous = await post(url, "{ viewer { emial } }");
    expect(anonymous.status).toBe(400);
    expect(anonymous.body.errors?.[0]?.message).toBe('Cannot query field "emial" on type "User".');
    const withToken = await post(url, "{ viewer { emial } }", token);
    expect(withToken.body.errors?.[0]?.message).toMatch(/Did you mean "email"\?/);
  });
});
