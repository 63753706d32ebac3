import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fingerprint } from "../src/services/idempotency.js";
import { graphql } from "./generated/index.js";
import { databaseTargets } from "./kit/database.js";
import { graphqlClient, member } from "./kit/graphql.js";
import { restClient, settleWorkspace } from "./kit/rest.js";
import { seedUser } from "./kit/seed.js";
import { useServer } from "./kit/server.js";

const Viewer = graphql(`
  query Viewer {
    viewer {
      id
      email
      defaultHardware { cpuKind cpus memoryMb volumeSizeGb gpuKind }
      projects(first: 10) { totalCount edges { node { id name } } }
    }
  }
`);

const ProjectById = graphql(`
  query ProjectById($id: ID!) {
    project(id: $id) {
      id
      name
      defaultBranch
      createdAt
      workspaces(first: 10) { totalCount edges { node { id } } }
    }
  }
`);

const WorkspaceById = graphql(`
  query WorkspaceById($id: ID!) {
    workspace(id: $id) {
      id
      projectId
      project { id name }
      status
      hardware { cpuKind cpus memoryMb volumeSizeGb gpuKind }
      keepActive
      machineId
      privateIp
      gitRef
      previewToken
      errorMessage
      createdAt
      updatedAt
    }
  }
`);

const CreateWorkspace = graphql(`
  mutation CreateWorkspace($input: CreateWorkspaceInput!) {
    createWorkspace(input: $input) {
      __typename
      ... on CreateWorkspaceSuccess {
        workspace {
          id
          projectId
          status
          keepActive
          previewToken
          hardware { cpuKind cpus memoryMb volumeSizeGb gpuKind }
          project { id name }
        }
      }
      ... on Error { message }
      ... on InvalidHardwareError { issues { field message } }
      ... on IdempotencyConflictError { inProgress }
    }
  }
`);

const CreateProject = graphql(`
  mutation CreateProject($input: CreateProjectInput!) {
    createProject(input: $input) {
      __typename
      ... on CreateProjectSuccess { project { id name defaultBranch workspaces { totalCount } } }
      ... on InvalidInputError { message issues { field message } }
    }
  }
`);

const UpdateDefaultHardware = graphql(`
  mutation UpdateDefaultHardware($input: HardwareInput!) {
    updateDefaultHardware(input: $input) {
      __typename
      ... on UpdateDefaultHardwareSuccess {
        user { defaultHardware { cpuKind cpus memoryMb volumeSizeGb gpuKind } }
      }
      ... on InvalidHardwareError { message issues { field message } }
    }
  }
`);

const StartWorkspace = graphql(`
  mutation StartWorkspace($id: ID!) {
    startWorkspace(id: $id) {
      __typename
      ... on StartWorkspaceSuccess { workspace { id status } }
      ... on Error { message }
      ... on InvalidTransitionError { status }
    }
  }
`);

const StopWorkspace = graphql(`
  mutation StopWorkspace($id: ID!) {
    stopWorkspace(id: $id) {
      __typename
      ... on StopWorkspaceSuccess { workspace { id status } }
      ... on Error { message }
      ... on InvalidTransitionError { status }
    }
  }
`);

const DeleteWorkspace = graphql(`
  mutation DeleteWorkspace($id: ID!) {
    deleteWorkspace(id: $id) {
      __typename
      ... on DeleteWorkspaceSuccess { deletedWorkspaceId }
      ... on Error { message }
    }
  }
`);

describe.each(databaseTargets)("GraphQL API on the $name database", (target) => {
  describe.skipIf(target.skip)("", () => {
    const server = useServer(target.open);
    const seed = (label: string) => seedUser(server.services, label);
    const client = (token?: string) => graphqlClient(server.url, token);

    const settle = (id: string, status: "running" | "stopped") =>
      settleWorkspace(server, id, status);

    async function createWorkspace(token: string, projectId: string) {
      const result = await client(token).data(CreateWorkspace, { input: { projectId } });
      return member(result.createWorkspace, "CreateWorkspaceSuccess").workspace;
    }

    describe("authentication", () => {
      it("answers UNAUTHENTICATED with HTTP 401 and a Bearer challenge without a token", async () => {
        const response = await client().execute(Viewer);
        expect(response.status).toBe(401);
        expect(response.headers.get("www-authenticate")).toBe('Bearer realm="workspace-gateway"');
        expect(response.data).toBeNull();
        expect(response.errors?.[0]?.extensions).toEqual({ code: "UNAUTHENTICATED" });
      });

      it("answers UNAUTHENTICATED with HTTP 401 for an unknown or malformed token", async () => {
        for (const token of ["wsg_unknown", `wsg_${"a".repeat(36)}`, "not a token"]) {
          const response = await client(token).execute(Viewer);
          expect(response.status).toBe(401);
          expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
          expect(response.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
        }
      });

      it("refuses mutations without a token, and writes nothing", async () => {
        const owner = await seed("anon-write");
        const response = await client().execute(CreateWorkspace, {
          input: { projectId: owner.project.id },
        });
        expect(response.status).toBe(401);
        expect(response.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
        const count = await server.database.prisma.workspace.count({
          where: { projectId: owner.project.id },
        });
        expect(count).toBe(0);
      });

      it("answers a revoked token with 401", async () => {
        const user = await seed("revoked");
        await server.services.tokens.revoke(user.token);
        const response = await client(user.token).execute(Viewer);
        expect(response.status).toBe(401);
      });

      it("reads the viewer with their default hardware and projects", async () => {
        const user = await seed("viewer");
        const { viewer } = await client(user.token).data(Viewer);
        expect(viewer).toEqual({
          id: user.user.id,
          email: user.user.email,
          defaultHardware: {
            cpuKind: "SHARED",
            cpus: 2,
            memoryMb: 2048,
            volumeSizeGb: 10,
            gpuKind: null,
          },
          projects: {
            totalCount: 1,
            edges: [{ node: { id: user.project.id, name: "viewer project" } }],
          },
        });
      });
    });

    describe("documents", () => {
      it("runs the operation operationName names, each time, in a document of several", async () => {
        // Compiled queries are cached per document: the other operation of the same document
        // must not answer with the first one's plan.
        const user = await seed("operations");
        const query = `query A { viewer { email } } query B { viewer { id } }
          query C($id: ID!) { project(id: $id) { name } }`;
        const post = async (operationName: string, variables = {}) => {
          const response = await fetch(`${server.url}/graphql`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
            body: JSON.stringify({ query, operationName, variables }),
          });
          return (await response.json()) as { data?: unknown; errors?: unknown };
        };
        for (let round = 0; round < 2; round++) {
          expect(await post("A")).toEqual({ data: { viewer: { email: user.user.email } } });
          expect(await post("B")).toEqual({ data: { viewer: { id: user.user.id } } });
          expect(await post("C", { id: user.project.id })).toEqual({
            data: { project: { name: "operations project" } },
          });
        }
      });
    });

    describe("another user's objects", () => {
      it("read as null, the same as ids that do not exist or are not UUIDs", async () => {
        const owner = await seed("owner");
        const stranger = await seed("stranger");
        const workspace = await createWorkspace(owner.token, owner.project.id);
        const as = client(stranger.token);

        for (const id of [owner.project.id, randomUUID(), "not-a-uuid"]) {
          expect(await as.data(ProjectById, { id })).toEqual({ project: null });
        }
        for (const id of [workspace.id, randomUUID(), "not-a-uuid"]) {
          expect(await as.data(WorkspaceById, { id })).toEqual({ workspace: null });
        }
        // The owner does see them.
        expect(
          (await client(owner.token).data(ProjectById, { id: owner.project.id })).project?.id,
        ).toBe(owner.project.id);
      });

      it("answer ProjectNotFoundError / WorkspaceNotFoundError to mutations, identical to unknown ids", async () => {
        const owner = await seed("owner-m");
        const stranger = await seed("stranger-m");
        const workspace = await createWorkspace(owner.token, owner.project.id);
        await settle(workspace.id, "running");
        const as = client(stranger.token);

        const foreign = await as.data(CreateWorkspace, { input: { projectId: owner.project.id } });
        const unknown = await as.data(CreateWorkspace, { input: { projectId: randomUUID() } });
        expect(foreign).toEqual({
          createWorkspace: { __typename: "ProjectNotFoundError", message: "project not found" },
        });
        expect(unknown).toEqual(foreign);

        const notFound = { __typename: "WorkspaceNotFoundError", message: "workspace not found" };
        for (const id of [workspace.id, randomUUID()]) {
          expect(await as.data(StartWorkspace, { id })).toEqual({ startWorkspace: notFound });
          expect(await as.data(StopWorkspace, { id })).toEqual({ stopWorkspace: notFound });
          expect(await as.data(DeleteWorkspace, { id })).toEqual({ deleteWorkspace: notFound });
        }
        // Nothing happened to the owner's workspace.
        const row = await server.database.prisma.workspace.findUniqueOrThrow({
          where: { id: workspace.id },
        });
        expect([row.status, row.desiredState]).toEqual(["running", "running"]);
      });
    });

    describe("createWorkspace", () => {
      it("creates with the defaults and reads back nested in one request", async () => {
        const user = await seed("create");
        const result = await client(user.token).data(CreateWorkspace, {
          input: { projectId: user.project.id, keepActive: true },
        });
        const { workspace } = member(result.createWorkspace, "CreateWorkspaceSuccess");
        expect(workspace).toMatchObject({
          projectId: user.project.id,
          status: "CREATING",
          keepActive: true,
          hardware: { cpuKind: "SHARED", cpus: 2, memoryMb: 2048, volumeSizeGb: 10, gpuKind: null },
          project: { id: user.project.id, name: "create project" },
        });
        expect(workspace.previewToken).toMatch(/^ptk_[A-Za-z0-9_-]{22,}$/);

        const read = await client(user.token).data(WorkspaceById, { id: workspace.id });
        expect(read.workspace?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(read.workspace?.hardware).toEqual(workspace.hardware);
      });

      it("fills the fields not given from the user's default hardware", async () => {
        const user = await seed("partial");
        await client(user.token).data(UpdateDefaultHardware, {
          input: { cpuKind: "PERFORMANCE", cpus: 2, memoryMb: 8192, volumeSizeGb: 50 },
        });
        const result = await client(user.token).data(CreateWorkspace, {
          input: { projectId: user.project.id, hardware: { cpus: 1, memoryMb: 4096 } },
        });
        expect(member(result.createWorkspace, "CreateWorkspaceSuccess").workspace.hardware).toEqual(
          {
            cpuKind: "PERFORMANCE",
            cpus: 1,
            memoryMb: 4096,
            volumeSizeGb: 50,
            gpuKind: null,
          },
        );
      });

      it("answers InvalidHardwareError with every failed rule, in GraphQL's names", async () => {
        const user = await seed("invalid");
        const result = await client(user.token).data(CreateWorkspace, {
          input: {
            projectId: user.project.id,
            hardware: { cpus: 3, memoryMb: 100, volumeSizeGb: 501 },
          },
        });
        const error = member(result.createWorkspace, "InvalidHardwareError");
        expect(error.message).toBe("invalid hardware configuration");
        expect(error.issues.map((issue) => issue.field)).toEqual([
          "hardware.cpus",
          "hardware.memoryMb",
          "hardware.volumeSizeGb",
        ]);
        expect(error.issues.map((issue) => issue.message)).toEqual([
          "cpus must be one of 1, 2, 4, 6, 8 (got 3)",
          "memoryMb must be a multiple of 256 between 256 and 16384 for SHARED cpus (got 100)",
          "volumeSizeGb must be a whole number between 1 and 500 (got 501)",
        ]);
        const count = await server.database.prisma.workspace.count({
          where: { projectId: user.project.id },
        });
        expect(count).toBe(0);
      });

      it("replays the first result for the same idempotency key and input", async () => {
        const user = await seed("replay");
        const input = { projectId: user.project.id, idempotencyKey: `key-${randomUUID()}` };
        const first = await client(user.token).data(CreateWorkspace, { input });
        const again = await client(user.token).data(CreateWorkspace, { input });
        const id = member(first.createWorkspace, "CreateWorkspaceSuccess").workspace.id;
        expect(member(again.createWorkspace, "CreateWorkspaceSuccess").workspace.id).toBe(id);
        const count = await server.database.prisma.workspace.count({
          where: { projectId: user.project.id },
        });
        expect(count).toBe(1);
      });

      it("answers IdempotencyConflictError for a key reused with other input", async () => {
        const user = await seed("conflict");
        const idempotencyKey = `key-${randomUUID()}`;
        await client(user.token).data(CreateWorkspace, {
          input: { projectId: user.project.id, idempotencyKey },
        });
        const result = await client(user.token).data(CreateWorkspace, {
          input: { projectId: user.project.id, idempotencyKey, keepActive: true },
        });
        expect(result.createWorkspace).toEqual({
          __typename: "IdempotencyConflictError",
          message: "Idempotency-Key was already used with a different request",
          inProgress: false,
        });
      });

      it("answers IdempotencyConflictError (inProgress) while the key's first request runs", async () => {
        const user = await seed("in-flight");
        const idempotencyKey = `key-${randomUUID()}`;
        // The first request, still running: its reservation, as the service writes it.
        await server.database.prisma.idempotencyRecord.create({
          data: {
            userId: user.user.id,
            key: idempotencyKey,
            fingerprint: fingerprint({
              operation: "createWorkspace",
              projectId: user.project.id,
              hardware: {},
              keepActive: false,
            }),
            expiresAt: new Date(Date.now() + 60_000),
          },
        });
        const result = await client(user.token).data(CreateWorkspace, {
          input: { projectId: user.project.id, idempotencyKey },
        });
        expect(result.createWorkspace).toEqual({
          __typename: "IdempotencyConflictError",
          message: "a request with this Idempotency-Key is still in progress",
          inProgress: true,
        });
      });

      it("answers an idempotency key over 255 characters with InvalidInputError (data, not an error)", async () => {
        const user = await seed("long-key");
        const response = await client(user.token).execute(CreateWorkspace, {
          input: { projectId: user.project.id, idempotencyKey: "k".repeat(256) },
        });
        expect(response.errors).toBeUndefined();
        expect(response.data?.createWorkspace).toMatchObject({
          __typename: "InvalidInputError",
          message: "idempotencyKey must be 1 to 255 characters long (got 256)",
        });
      });
    });

    describe("start, stop and delete", () => {
      it("answer the workspace, or InvalidTransitionError with its current status", async () => {
        const user = await seed("actions");
        const as = client(user.token);
        const workspace = await createWorkspace(user.token, user.project.id);
        await settle(workspace.id, "running");

        expect(await as.data(StartWorkspace, { id: workspace.id })).toEqual({
          startWorkspace: {
            __typename: "InvalidTransitionError",
            message: "cannot start a workspace that is running",
            status: "RUNNING",
          },
        });
        expect(await as.data(StopWorkspace, { id: workspace.id })).toEqual({
          stopWorkspace: {
            __typename: "StopWorkspaceSuccess",
            workspace: { id: workspace.id, status: "STOPPING" },
          },
        });

        await settle(workspace.id, "stopped");
        expect(await as.data(StopWorkspace, { id: workspace.id })).toMatchObject({
          stopWorkspace: { __typename: "InvalidTransitionError", status: "STOPPED" },
        });
        expect(await as.data(StartWorkspace, { id: workspace.id })).toEqual({
          startWorkspace: {
            __typename: "StartWorkspaceSuccess",
            workspace: { id: workspace.id, status: "STARTING" },
          },
        });

        expect(await as.data(DeleteWorkspace, { id: workspace.id })).toEqual({
          deleteWorkspace: {
            __typename: "DeleteWorkspaceSuccess",
            deletedWorkspaceId: workspace.id,
          },
        });
        expect(await as.data(WorkspaceById, { id: workspace.id })).toEqual({ workspace: null });
        expect(await as.data(DeleteWorkspace, { id: workspace.id })).toMatchObject({
          deleteWorkspace: { __typename: "WorkspaceNotFoundError" },
        });
      });
    });

    describe("createProject and updateDefaultHardware", () => {
      it("create a project, or answer InvalidInputError", async () => {
        const user = await seed("projects");
        const created = await client(user.token).data(CreateProject, {
          input: { name: "  Website  ", defaultBranch: "develop" },
        });
        expect(member(created.createProject, "CreateProjectSuccess").project).toMatchObject({
          name: "Website",
          defaultBranch: "develop",
          workspaces: { totalCount: 0 },
        });

        const refused = await client(user.token).data(CreateProject, {
          input: { name: " ", defaultBranch: "has spaces" },
        });
        expect(member(refused.createProject, "InvalidInputError").issues).toEqual([
          { field: "name", message: "name must be 1 to 200 characters" },
          { field: "defaultBranch", message: "defaultBranch must be a git branch name" },
        ]);
        const { viewer } = await client(user.token).data(Viewer);
        expect(viewer.projects.totalCount).toBe(2);
      });

      it("replace the default hardware, or answer InvalidHardwareError and change nothing", async () => {
        const user = await seed("defaults");
        const as = client(user.token);
        const hardwareOf = (result: Awaited<ReturnType<typeof setDefaults>>) =>
          member(result.updateDefaultHardware, "UpdateDefaultHardwareSuccess").user.defaultHardware;
        const setDefaults = (input: Record<string, number>) =>
          as.data(UpdateDefaultHardware, { input });
        const first = await setDefaults({ cpus: 4, memoryMb: 4096 });
        expect(hardwareOf(first)).toMatchObject({ cpus: 4, memoryMb: 4096, volumeSizeGb: 10 });
        // A replacement: what is left out falls back to the system default, not to the last value.
        const changed = await setDefaults({ volumeSizeGb: 20 });
        expect(hardwareOf(changed)).toEqual({
          cpuKind: "SHARED",
          cpus: 2,
          memoryMb: 2048,
          volumeSizeGb: 20,
          gpuKind: null,
        });

        const refused = await as.data(UpdateDefaultHardware, { input: { cpus: 8, memoryMb: 256 } });
        expect(member(refused.updateDefaultHardware, "InvalidHardwareError").issues).toEqual([
          {
            field: "defaultHardware.memoryMb",
            message:
              "memoryMb must be a multiple of 256 between 2048 and 16384 for 8 SHARED cpus (got 256)",
          },
        ]);
        const { viewer } = await as.data(Viewer);
        expect(viewer.defaultHardware.volumeSizeGb).toBe(20);
        expect(viewer.defaultHardware.cpus).toBe(2);

        const reset = await setDefaults({});
        expect(hardwareOf(reset)).toMatchObject({ cpus: 2, volumeSizeGb: 10 });
      });
    });

    describe("REST and GraphQL share one service", () => {
      it("a workspace created over REST reads the same over GraphQL", async () => {
        const user = await seed("rest-to-gql");
        const rest = restClient(server.url);
        const created = await rest.post(`/projects/${user.project.id}/workspaces`, {
          token: user.token,
          json: {
            hardware: { cpu_kind: "performance", cpus: 2, memory_mb: 4096 },
            keep_active: true,
          },
        });
        expect(created.status).toBe(201);

        const { workspace } = await client(user.token).data(WorkspaceById, { id: created.json.id });
        expect(workspace).toEqual({
          id: created.json.id,
          projectId: created.json.project_id,
          project: { id: user.project.id, name: "rest-to-gql project" },
          status: created.json.status.toUpperCase(),
          hardware: {
            cpuKind: "PERFORMANCE",
            cpus: 2,
            memoryMb: 4096,
            volumeSizeGb: 10,
            gpuKind: null,
          },
          keepActive: true,
          machineId: null,
          privateIp: null,
          gitRef: null,
          previewToken: created.json.preview_token,
          errorMessage: null,
          createdAt: created.json.created_at,
          updatedAt: created.json.updated_at,
        });
      });

      it("a workspace created over GraphQL reads the same over REST", async () => {
        const user = await seed("gql-to-rest");
        const result = await client(user.token).data(CreateWorkspace, {
          input: {
            projectId: user.project.id,
            hardware: { cpus: 4, memoryMb: 1024, volumeSizeGb: 30 },
          },
        });
        const workspace = member(result.createWorkspace, "CreateWorkspaceSuccess").workspace;
        const read = await restClient(server.url).get(`/workspaces/${workspace.id}`, {
          token: user.token,
        });
        expect(read.status).toBe(200);
        expect(read.json).toMatchObject({
          id: workspace.id,
          project_id: user.project.id,
          hardware: {
            cpu_kind: "shared",
            cpus: 4,
            memory_mb: 1024,
            volume_size_gb: 30,
            gpu_kind: null,
          },
          keep_active: false,
          preview_token: workspace.previewToken,
        });
      });

      it("an idempotency key used over REST replays over GraphQL for the same request", async () => {
        const user = await seed("idem-both");
        const key = `key-${randomUUID()}`;
        const rest = restClient(server.url);
        const created = await rest.post(`/projects/${user.project.id}/workspaces`, {
          token: user.token,
          json: { hardware: { cpus: 1 } },
          headers: { "idempotency-key": key },
        });
        expect(created.status).toBe(201);
        const replayed = await client(user.token).data(CreateWorkspace, {
          input: { projectId: user.project.id, hardware: { cpus: 1 }, idempotencyKey: key },
        });
        expect(member(replayed.createWorkspace, "CreateWorkspaceSuccess").workspace.id).toBe(
          created.json.id,
        );
        const other = await client(user.token).data(CreateWorkspace, {
          input: { projectId: user.project.id, hardware: { cpus: 2 }, idempotencyKey: key },
        });
        expect(other.createWorkspace.__typename).toBe("IdempotencyConflictError");
      });
    });
  });
});
