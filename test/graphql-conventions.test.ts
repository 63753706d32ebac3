/**
 * Schema conventions a frontend team builds on (issue 16): the schema documents itself, DateTime
 * names its specification, the error interface does not shadow JavaScript's Error, field errors
 * have one type, and the hardware on offer is listed from the hardware rules.
 */

import { randomUUID } from "node:crypto";
import {
  type GraphQLNamedType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
} from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../src/graphql/schema/index.js";
import { resolveHardware } from "../src/services/hardware-rules.js";
import { graphql } from "./generated/index.js";
import { databaseTargets } from "./kit/database.js";
import { graphqlClient, member } from "./kit/graphql.js";
import { settleWorkspace } from "./kit/rest.js";
import { seedUser } from "./kit/seed.js";
import { useServer } from "./kit/server.js";

/** Every type, field, argument, input field and enum value without a description. */
function undocumented(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const check = (path: string, description: string | null | undefined) => {
    if (!description?.trim()) missing.push(path);
  };
  const types = Object.values(schema.getTypeMap()).filter(
    (type: GraphQLNamedType) =>
      !type.name.startsWith("__") && !(isScalarType(type) && isSpecifiedScalarType(type)),
  );
  for (const type of types) {
    // The root types are described by their fields.
    if (
      ![schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].includes(
        type as never,
      )
    ) {
      check(type.name, type.description);
    }
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field.description);
        for (const arg of field.args)
          check(`${type.name}.${field.name}(${arg.name})`, arg.description);
      }
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field.description);
      }
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.description);
    }
  }
  return missing;
}

describe("the schema documents itself", () => {
  it("every type, field, argument, input field and enum value has a description", () => {
    expect(undocumented(schema)).toEqual([]);
  });

  it("DateTime names its specification with @specifiedBy", () => {
    const dateTime = schema.getType("DateTime");
    expect(isScalarType(dateTime) && dateTime.specifiedByURL).toBe(
      "https://scalars.graphql.org/andimarek/date-time",
    );
  });

  it("HardwareInput says how each mutation that takes it fills in left-out fields", () => {
    const description = schema.getType("HardwareInput")?.description ?? "";
    expect(description).toMatch(/createWorkspace merges over your defaultHardware/);
    expect(description).toMatch(/updateDefaultHardware replaces/);
  });
});

describe("error types", () => {
  it("the interface is UserError (generated code does not shadow JavaScript's Error); Error stays one release, deprecated", () => {
    const userError = schema.getType("UserError");
    const legacy = schema.getType("Error");
    expect(isInterfaceType(userError)).toBe(true);
    expect(legacy?.description).toMatch(/^Deprecated: use UserError/);
    const errorTypes = Object.values(schema.getTypeMap()).filter(
      (type) => isObjectType(type) && type.getInterfaces().some((i) => i.name === "Error"),
    );
    expect(errorTypes.length).toBeGreaterThanOrEqual(8);
    for (const type of errorTypes) {
      if (!isObjectType(type)) continue;
      expect(type.getInterfaces().map((i) => i.name)).toContain("UserError");
    }
  });

  it("no other schema type is named after a JavaScript global", () => {
    const globals = new Set(Object.getOwnPropertyNames(globalThis));
    const clashes = Object.keys(schema.getTypeMap()).filter(
      (name) => globals.has(name) && !["String", "Boolean"].includes(name),
    );
    // Error is the deprecated alias, removed in the next release.
    expect(clashes).toEqual(["Error"]);
  });

  it("one field-error type serves hardware and other input problems", () => {
    expect(schema.getType("HardwareIssue")).toBeUndefined();
    expect(schema.getType("InputIssue")).toBeUndefined();
    for (const name of ["InvalidHardwareError", "InvalidInputError"]) {
      const type = schema.getType(name);
      const issues = isObjectType(type) ? type.getFields().issues : undefined;
      expect(String(issues?.type)).toBe("[FieldError!]!");
    }
  });
});

const HardwareOptions = graphql(`
  query HardwareOptions {
    hardwareOptions {
      cpuKinds { kind cpuCounts { cpus memoryMb { min max step } } }
      volumeSizeGb { min max }
      gpuKinds { kind cpuKind }
    }
  }
`);

describe.each(databaseTargets)("hardwareOptions on the $name database", (target) => {
  describe.skipIf(target.skip)("", () => {
    const server = useServer(target.open, { GPU_KINDS: "a100,l40s" });

    it("lists what may be ordered, and each listed combination passes the hardware rules", async () => {
      const user = await seedUser(server.services, "options");
      const { hardwareOptions } = await graphqlClient(server.url, user.token).data(HardwareOptions);
      expect(hardwareOptions.volumeSizeGb).toEqual({ min: 1, max: 500 });
      expect(hardwareOptions.gpuKinds).toEqual([
        { kind: "a100", cpuKind: "PERFORMANCE" },
        { kind: "l40s", cpuKind: "PERFORMANCE" },
      ]);
      expect(hardwareOptions.cpuKinds.map((option) => option.kind)).toEqual([
        "SHARED",
        "PERFORMANCE",
      ]);
      const shared = hardwareOptions.cpuKinds[0]?.cpuCounts ?? [];
      expect(shared.map((option) => option.cpus)).toEqual([1, 2, 4, 6, 8]);
      expect(shared[1]?.memoryMb).toEqual({ min: 512, max: 4096, step: 256 });

      // Each edge of each listed range is accepted, one step beyond it is refused.
      let checked = 0;
      for (const kindOption of hardwareOptions.cpuKinds) {
        const cpuKind = kindOption.kind.toLowerCase() as "shared" | "performance";
        for (const { cpus, memoryMb } of kindOption.cpuCounts) {
          const accepts = (memory: number, gpuKind: string | null = null) =>
            resolveHardware({ cpuKind, cpus, memoryMb: memory, gpuKind }, null, ["a100", "l40s"])
              .ok;
          expect(accepts(memoryMb.min)).toBe(true);
          expect(accepts(memoryMb.max)).toBe(true);
          expect(accepts(memoryMb.min - memoryMb.step)).toBe(false);
          expect(accepts(memoryMb.max + memoryMb.step)).toBe(false);
          for (const gpu of hardwareOptions.gpuKinds) {
            expect(accepts(memoryMb.min, gpu.kind)).toBe(gpu.cpuKind === kindOption.kind);
          }
          checked += 1;
        }
      }
      expect(checked).toBe(10);
    });
  });
});

const Create = graphql(`
  mutation ConventionsCreate($input: CreateWorkspaceInput!) {
    createWorkspace(input: $input) {
      __typename
      ... on CreateWorkspaceSuccess {
        replayed
        workspace { id status machineId hardware { cpuKind cpus memoryMb gpuKind } keepActive }
      }
      ... on UserError { message }
      ... on QuotaExceededError { quota }
      ... on InvalidInputError { issues { field message } }
      ... on RateLimitedError { retryAfterSeconds }
    }
  }
`);

const ProjectThenCreate = graphql(`
  mutation ProjectThenCreate($projectId: ID!) {
    createProject(input: { name: "made first" }) {
      __typename
      ... on CreateProjectSuccess { project { id name } }
    }
    createWorkspace(input: { projectId: $projectId }) {
      __typename
      ... on CreateWorkspaceSuccess { workspace { id } }
      ... on RateLimitedError { message retryAfterSeconds }
    }
  }
`);

const SetDefaults = graphql(`
  mutation ConventionsDefaults($input: HardwareInput!) {
    updateDefaultHardware(input: $input) {
      __typename
      ... on UpdateDefaultHardwareSuccess {
        user { defaultHardware { cpuKind cpus memoryMb volumeSizeGb gpuKind } }
      }
      ... on InvalidHardwareError { issues { field message } }
    }
  }
`);

const NodeById = graphql(`
  query NodeById($id: ID!) {
    node(id: $id) {
      __typename
      id
      ... on Workspace { status project { id } }
      ... on Project { name }
      ... on User { email }
    }
  }
`);

const NodesByIds = graphql(`
  query NodesByIds($ids: [ID!]!) {
    nodes(ids: $ids) { __typename id }
  }
`);

describe.each(databaseTargets)("schema conventions on the $name database", (target) => {
  describe.skipIf(target.skip)("", () => {
    const server = useServer(target.open, { GPU_KINDS: "a100" });
    const seed = (label: string) => seedUser(server.services, label);
    const client = (token: string) => graphqlClient(server.url, token);
    const workspaceRows = (projectId: string) =>
      server.database.prisma.workspace.count({ where: { projectId } });

    it("an idempotency key of 256 characters is InvalidInputError data naming its field; 255 is accepted", async () => {
      const user = await seed("long-key");
      const refused = await client(user.token).execute(Create, {
        input: { projectId: user.project.id, idempotencyKey: "k".repeat(256) },
      });
      expect(refused.status).toBe(200);
      expect(refused.errors).toBeUndefined();
      expect(refused.data?.createWorkspace).toEqual({
        __typename: "InvalidInputError",
        message: "idempotencyKey must be 1 to 255 characters long (got 256)",
        issues: [
          { field: "idempotencyKey", message: "idempotencyKey must be 1 to 255 characters long" },
        ],
      });
      const accepted = await client(user.token).data(Create, {
        input: { projectId: user.project.id, idempotencyKey: "k".repeat(255) },
      });
      expect(accepted.createWorkspace.__typename).toBe("CreateWorkspaceSuccess");
      expect(await workspaceRows(user.project.id)).toBe(1);
    });

    it("a replayed create answers the workspace as it is now, with replayed: true", async () => {
      const user = await seed("replay-now");
      const input = { projectId: user.project.id, idempotencyKey: `key-${randomUUID()}` };
      const first = member(
        (await client(user.token).data(Create, { input })).createWorkspace,
        "CreateWorkspaceSuccess",
      );
      expect(first.replayed).toBe(false);
      expect(first.workspace.status).toBe("CREATING");
      await settleWorkspace(server, first.workspace.id, "running");

      const again = member(
        (await client(user.token).data(Create, { input })).createWorkspace,
        "CreateWorkspaceSuccess",
      );
      expect(again.replayed).toBe(true);
      expect(again.workspace.id).toBe(first.workspace.id);
      expect(again.workspace.status).toBe("RUNNING");
      expect(await workspaceRows(user.project.id)).toBe(1);
    });

    it("null in an input means left out: cpus and keepActive from the defaults, gpuKind null keeps the default GPU", async () => {
      const user = await seed("nulls");
      const defaults = await client(user.token).data(SetDefaults, {
        input: {
          cpuKind: "PERFORMANCE",
          cpus: 2,
          memoryMb: 4096,
          gpuKind: "a100",
          volumeSizeGb: null,
        },
      });
      expect(
        member(defaults.updateDefaultHardware, "UpdateDefaultHardwareSuccess").user.defaultHardware,
      ).toEqual({
        cpuKind: "PERFORMANCE",
        cpus: 2,
        memoryMb: 4096,
        volumeSizeGb: 10,
        gpuKind: "a100",
      });
      const created = await client(user.token).data(Create, {
        input: {
          projectId: user.project.id,
          keepActive: null,
          hardware: { cpus: null, memoryMb: 8192, gpuKind: null },
        },
      });
      const { workspace } = member(created.createWorkspace, "CreateWorkspaceSuccess");
      expect(workspace.keepActive).toBe(false);
      expect(workspace.hardware).toEqual({
        cpuKind: "PERFORMANCE",
        cpus: 2,
        memoryMb: 8192,
        gpuKind: "a100",
      });
    });

    it('gpuKind "" says "no GPU" over a default GPU', async () => {
      const user = await seed("no-gpu");
      await client(user.token).data(SetDefaults, {
        input: { cpuKind: "PERFORMANCE", cpus: 2, memoryMb: 4096, gpuKind: "a100" },
      });
      const created = await client(user.token).data(Create, {
        input: { projectId: user.project.id, hardware: { gpuKind: "" } },
      });
      expect(
        member(created.createWorkspace, "CreateWorkspaceSuccess").workspace.hardware.gpuKind,
      ).toBeNull();
      const reset = await client(user.token).data(SetDefaults, {
        input: { cpuKind: "PERFORMANCE", cpus: 2, memoryMb: 4096, gpuKind: "" },
      });
      expect(
        member(reset.updateDefaultHardware, "UpdateDefaultHardwareSuccess").user.defaultHardware
          .gpuKind,
      ).toBeNull();
    });

    it("node(id:) answers your workspace, project and user by their REST ids; others' and bad ids are null", async () => {
      const owner = await seed("node-owner");
      const stranger = await seed("node-stranger");
      const created = await client(owner.token).data(Create, {
        input: { projectId: owner.project.id },
      });
      const workspace = member(created.createWorkspace, "CreateWorkspaceSuccess").workspace;

      const as = client(owner.token);
      expect((await as.data(NodeById, { id: workspace.id })).node).toEqual({
        __typename: "Workspace",
        id: workspace.id,
        status: "CREATING",
        project: { id: owner.project.id },
      });
      expect((await as.data(NodeById, { id: owner.project.id })).node).toEqual({
        __typename: "Project",
        id: owner.project.id,
        name: "node-owner project",
      });
      expect((await as.data(NodeById, { id: owner.user.id })).node).toEqual({
        __typename: "User",
        id: owner.user.id,
        email: owner.user.email,
      });
      for (const id of [
        workspace.id,
        owner.project.id,
        owner.user.id,
        randomUUID(),
        "not-a-uuid",
      ]) {
        expect(await client(stranger.token).data(NodeById, { id })).toEqual({ node: null });
      }
    });

    it("nodes(ids:) answers in order with null where node would be null; 100 ids accepted, 101 refused", async () => {
      const owner = await seed("nodes");
      const stranger = await seed("nodes-stranger");
      const ids = [owner.project.id, stranger.project.id, "bad", owner.user.id, owner.project.id];
      expect((await client(owner.token).data(NodesByIds, { ids })).nodes).toEqual([
        { __typename: "Project", id: owner.project.id },
        null,
        null,
        { __typename: "User", id: owner.user.id },
        { __typename: "Project", id: owner.project.id },
      ]);
      const hundred = Array.from({ length: 100 }, () => randomUUID());
      const accepted = await client(owner.token).data(NodesByIds, { ids: hundred });
      expect(accepted.nodes).toHaveLength(100);
      const refused = await client(owner.token).execute(NodesByIds, {
        ids: [...hundred, randomUUID()],
      });
      expect(refused.errors?.[0]?.extensions).toMatchObject({
        code: "BAD_USER_INPUT",
        argument: "ids",
      });
      expect(refused.data).toBeNull();
    });
  });
});

describe.each(databaseTargets)("quota as data on the $name database", (target) => {
  describe.skipIf(target.skip)("", () => {
    const server = useServer(target.open, { WORKSPACE_QUOTA: "2" });

    it("the create after the quota answers QuotaExceededError { quota } as data (HTTP 200); the quota-th is accepted", async () => {
      const user = await seedUser(server.services, "quota");
      const as = graphqlClient(server.url, user.token);
      const input = { projectId: user.project.id };
      for (let n = 1; n <= 2; n++) {
        expect((await as.data(Create, { input })).createWorkspace.__typename).toBe(
          "CreateWorkspaceSuccess",
        );
      }
      const over = await as.execute(Create, { input });
      expect(over.status).toBe(200);
      expect(over.errors).toBeUndefined();
      expect(over.data?.createWorkspace).toMatchObject({
        __typename: "QuotaExceededError",
        quota: 2,
      });
      expect(
        await server.database.prisma.workspace.count({ where: { projectId: user.project.id } }),
      ).toBe(2);
    });
  });
});

describe.each(databaseTargets)(
  "the create rate limit in a document on the $name database",
  (target) => {
    describe.skipIf(target.skip)("", () => {
      const server = useServer(target.open, { CREATE_RATE_LIMIT_PER_MINUTE: "1" });

      it("refuses only the create in a document that also creates a project: RateLimitedError data, the project is made (HTTP 200)", async () => {
        const user = await seedUser(server.services, "mixed");
        const as = graphqlClient(server.url, user.token);
        const first = await as.data(ProjectThenCreate, { projectId: user.project.id });
        expect(first.createWorkspace.__typename).toBe("CreateWorkspaceSuccess");

        const second = await as.execute(ProjectThenCreate, { projectId: user.project.id });
        expect(second.status).toBe(200);
        expect(second.errors).toBeUndefined();
        expect(second.data?.createProject).toMatchObject({
          __typename: "CreateProjectSuccess",
          project: { name: "made first" },
        });
        expect(second.data?.createWorkspace).toMatchObject({ __typename: "RateLimitedError" });
        const refusal = second.data?.createWorkspace;
        expect(
          refusal?.__typename === "RateLimitedError" && refusal.retryAfterSeconds,
        ).toBeGreaterThan(0);
        expect(
          await server.database.prisma.project.count({ where: { ownerId: user.user.id } }),
        ).toBe(3);
        expect(
          await server.database.prisma.workspace.count({ where: { projectId: user.project.id } }),
        ).toBe(1);

        // A document of creates only is still refused whole, before it runs.
        const only = await as.execute(Create, { input: { projectId: user.project.id } });
        expect(only.status).toBe(429);
        expect(only.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
      });
    });
  },
);
