import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Prisma } from "../src/generated/prisma/client.js";
import { graphql } from "./generated/index.js";
import { databaseTargets } from "./kit/database.js";
import { graphqlClient, member } from "./kit/graphql.js";
import { restClient } from "./kit/rest.js";
import { seedUser } from "./kit/seed.js";
import { useServer } from "./kit/server.js";

const CreateProjectWithKey = graphql(`
  mutation CreateProjectWithKey($input: CreateProjectInput!) {
    createProject(input: $input) {
      __typename
      ... on CreateProjectSuccess { replayed project { id name defaultBranch createdAt } }
      ... on IdempotencyConflictError { message inProgress }
      ... on InvalidInputError { message issues { field message } }
    }
  }
`);

describe.each(databaseTargets)("GraphQL createProject on $name", (target) => {
  describe.skipIf(target.skip)("createProject with idempotencyKey", () => {
    const server = useServer(target.open);

    async function seeded() {
      const seed = await seedUser(server.services, "gql-create-project");
      const client = graphqlClient(server.url, seed.token);
      const { prisma } = server.database;
      const rows = async () => ({
        projects: await prisma.project.count({ where: { ownerId: seed.user.id } }),
        idempotencyRecords: await prisma.idempotencyRecord.count({
          where: { userId: seed.user.id },
        }),
      });
      // data(): HTTP 200 and no top-level errors, else the test fails with the body.
      const create = async (input: {
        name: string;
        defaultBranch?: string | null;
        idempotencyKey?: string | null;
      }) => (await client.data(CreateProjectWithKey, { input })).createProject;
      return { ...seed, client, rows, create };
    }

    it("answers the first project again for the same key and input, and creates nothing", async () => {
      const { create, rows } = await seeded();
      const before = await rows();
      const idempotencyKey = randomUUID();
      const first = await create({ name: "once", idempotencyKey });
      const made = member(first, "CreateProjectSuccess");
      expect(made.replayed).toBe(false);
      expect(made.project).toMatchObject({ name: "once", defaultBranch: "main" });

      // The same input, written with its default and with null.
      for (const defaultBranch of [undefined, "main", null]) {
        const again = await create({ name: "once", defaultBranch, idempotencyKey });
        const replay = member(again, "CreateProjectSuccess");
        expect(replay.replayed).toBe(true);
        expect(replay.project).toEqual(made.project);
      }
      expect(await rows()).toEqual({
        projects: before.projects + 1,
        idempotencyRecords: before.idempotencyRecords + 1,
      });

      // Without a key, every create is a new project.
      const plain = await create({ name: "once" });
      const plainMade = member(plain, "CreateProjectSuccess");
      expect(plainMade.replayed).toBe(false);
      expect(plainMade.project.id).not.toBe(made.project.id);
    });

    it("answers IdempotencyConflictError for the key with other input, and creates nothing", async () => {
      const { create, rows } = await seeded();
      const idempotencyKey = randomUUID();
      member(await create({ name: "first", idempotencyKey }), "CreateProjectSuccess");
      const before = await rows();
      for (const input of [
        { name: "second", idempotencyKey },
        { name: "first", defaultBranch: "develop", idempotencyKey },
      ]) {
        const conflict = await create(input);
        expect(conflict).toEqual({
          __typename: "IdempotencyConflictError",
          message: "Idempotency-Key was already used with a different request",
          inProgress: false,
        });
      }
      expect(await rows()).toEqual(before);
    });

    it("answers IdempotencyConflictError (inProgress) while the key's first request runs", async () => {
      const { create, user } = await seeded();
      const { prisma } = server.database;
      const idempotencyKey = randomUUID();
      const first = await create({ name: "running", idempotencyKey });
      const made = member(first, "CreateProjectSuccess");
      const where = { userId_key: { userId: user.id, key: idempotencyKey } };
      const { response } = await prisma.idempotencyRecord.findUniqueOrThrow({ where });
      await prisma.idempotencyRecord.update({
        where,
        data: { state: "in_flight", response: Prisma.DbNull },
      });
      const during = await create({ name: "running", idempotencyKey });
      expect(during).toMatchObject({
        __typename: "IdempotencyConflictError",
        inProgress: true,
      });
      await prisma.idempotencyRecord.update({
        where,
        data: { state: "completed", response: response ?? Prisma.DbNull },
      });
      const after = await create({ name: "running", idempotencyKey });
      expect(member(after, "CreateProjectSuccess").project.id).toBe(made.project.id);
    });

    it("accepts a key of 255 characters; 256 is an InvalidInputError member, not a top-level error", async () => {
      const { create, rows } = await seeded();
      const key = `${randomUUID()}${"k".repeat(255 - 36)}`;
      const accepted = await create({ name: "long key", idempotencyKey: key });
      member(accepted, "CreateProjectSuccess");
      const before = await rows();

      const refused = await create({ name: "long key", idempotencyKey: `${key}k` });
      const invalid = member(refused, "InvalidInputError");
      expect(invalid.issues).toHaveLength(1);
      expect(invalid.issues[0]?.field).toBe("idempotencyKey");
      expect(invalid.issues[0]?.message).toContain("255");
      expect(await rows()).toEqual(before);
    });

    it("accepts a name of 200 characters and refuses 201 with InvalidInputError naming name", async () => {
      const { create, rows } = await seeded();
      const accepted = await create({ name: "n".repeat(200), idempotencyKey: randomUUID() });
      expect(member(accepted, "CreateProjectSuccess").project.name).toBe("n".repeat(200));
      const before = await rows();
      const refused = await create({ name: "n".repeat(201), idempotencyKey: randomUUID() });
      const invalid = member(refused, "InvalidInputError");
      expect(invalid.issues.map((issue) => issue.field)).toEqual(["name"]);
      expect(await rows()).toEqual(before);
    });

    it("shares keys with REST: POST /projects then createProject with the key replays it", async () => {
      const { create, token, rows } = await seeded();
      const idempotencyKey = randomUUID();
      const rest = await restClient(server.url).post("/projects", {
        token,
        json: { name: "both doors" },
        headers: { "idempotency-key": idempotencyKey },
      });
      expect(rest.status, rest.text).toBe(201);
      const before = await rows();
      const viaGraphQL = await create({ name: "both doors", idempotencyKey });
      const replay = member(viaGraphQL, "CreateProjectSuccess");
      expect(replay.replayed).toBe(true);
      expect(replay.project.id).toBe(rest.json.id);
      expect(replay.project.createdAt).toBe(rest.json.created_at);
      expect(await rows()).toEqual(before);
    });
  });
});
