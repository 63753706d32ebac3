// Issue 15, item 15: the database's revoked_at is the last word. A token revoked in SQL while no
// server runs, stamped further back than the revocation poll looks (so no poll, no bus message
// and no in-memory list ever hears of it), is refused by the next server to start, through both
// doors; the same user's other token still works, so the refusal is the revocation's.
import { afterEach, describe, expect, it } from "vitest";
import { embeddedDatabase } from "./kit/database.js";
import { restClient } from "./kit/rest.js";
import { seedUser } from "./kit/seed.js";
import { startServer, type TestServer } from "./kit/server.js";

/** Well past the poll's look-back (60 s) and the token cache's TTL. */
const LONG_AGO = "1 hour";

async function viewer(url: string, token: string) {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json",
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query: "{ viewer { id } }" }),
  });
  return { status: response.status, body: await response.json() };
}

describe("a token revoked while no server runs", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.app.stop();
    server = undefined;
  });

  it("is refused (401) by the next server, though revoked_at is older than the poll looks back", async () => {
    const database = await embeddedDatabase();
    server = await startServer(database);
    const user = await seedUser(server.services, "revoked-offline");
    const other = await server.services.tokens.issue(user.user.id);
    const api = () => restClient(server?.url ?? "");
    // Both tokens work, and are cached by this server.
    expect((await api().get("/user/settings", { token: user.token })).status).toBe(200);
    expect((await api().get("/user/settings", { token: other.token })).status).toBe(200);
    await server.app.stop();
    server = undefined;

    // Revoked in SQL, by nobody the servers hear from, an hour ago.
    const revoked = await database.prisma.$executeRawUnsafe(
      `UPDATE api_tokens SET revoked_at = now() - interval '${LONG_AGO}'
       WHERE user_id = $1::uuid AND id <> $2::uuid`,
      user.user.id,
      other.id,
    );
    expect(revoked).toBe(1);

    server = await startServer(database);
    // The poll has run at least once since the start: it still must not be what refuses.
    await server.services.revocations.poll();
    const refused = await api().get("/user/settings", { token: user.token });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toContain('error="invalid_token"');
    const created = await api().post(`/projects/${user.project.id}/workspaces`, {
      token: user.token,
      json: {},
    });
    expect(created.status).toBe(401);
    expect((await viewer(server.url, user.token)).status).toBe(401);
    // Asked again (a cached refusal would be a bug of its own): still refused.
    expect((await api().get("/user/settings", { token: user.token })).status).toBe(401);

    // The user's other token is untouched: the refusal is the revocation's, not the restart's.
    expect((await api().get("/user/settings", { token: other.token })).status).toBe(200);
    const ok = await viewer(server.url, other.token);
    expect(ok).toMatchObject({ status: 200, body: { data: { viewer: { id: user.user.id } } } });
    expect(await database.prisma.workspace.count({ where: { projectId: user.project.id } })).toBe(
      0,
    );
  });
});
