/**
 * One hardware validator behind both doors: the same hardware is accepted or refused identically
 * by REST and GraphQL, with the same issues, each in its door's words (REST: hardware.memory_mb,
 * "shared"; GraphQL: hardware.memoryMb, SHARED). Only what both can express is compared:
 * GraphQL's types already refuse strings for numbers and unknown CPU kinds.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { HardwareRequest as ServiceHardwareRequest } from "../src/services/hardware-rules.js";
import type { CpuKind, HardwareInput } from "./generated/graphql.js";
import { graphql } from "./generated/index.js";
import { databaseTargets } from "./kit/database.js";
import { graphqlClient } from "./kit/graphql.js";
import { restClient } from "./kit/rest.js";
import { type SeededUser, seedUser } from "./kit/seed.js";
import { useServer } from "./kit/server.js";

const CreateWithHardware = graphql(`
  mutation CreateWithHardware($input: CreateWorkspaceInput!) {
    createWorkspace(input: $input) {
      __typename
      ... on CreateWorkspaceSuccess {
        workspace { hardware { cpuKind cpus memoryMb volumeSizeGb gpuKind } }
      }
      ... on InvalidHardwareError { issues { field message } }
    }
  }
`);

const SetDefaultHardware = graphql(`
  mutation SetDefaultHardware($input: HardwareInput!) {
    updateDefaultHardware(input: $input) {
      __typename
      ... on UpdateDefaultHardwareSuccess {
        user { defaultHardware { cpuKind cpus memoryMb volumeSizeGb gpuKind } }
      }
      ... on InvalidHardwareError { issues { field message } }
    }
  }
`);

interface HardwareRequest {
  cpu_kind?: "shared" | "performance";
  cpus?: number;
  memory_mb?: number;
  volume_size_gb?: number;
  gpu_kind?: string | null;
}
type Wire = { [K in keyof HardwareRequest]: HardwareRequest[K] | null };

type Issue = { field: string; message: string };

/**
 * An issue in GraphQL's words, told in REST's: memoryMb → memory_mb, SHARED → shared, and "no
 * GPU" as REST says it (GraphQL's `""`, REST's `null`).
 */
function inRestWords(issues: Issue[], dialect: "rest" | "graphql"): Issue[] {
  const words = (text: string) =>
    text
      .replace(/gpuKind must be ""/g, "gpuKind must be null")
      .replace(/defaultHardware/g, "default_hardware")
      .replace(/\b(cpuKind|memoryMb|volumeSizeGb|gpuKind)\b/g, (name) =>
        name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`),
      )
      .replace(/\b(SHARED|PERFORMANCE)\b/g, (kind) => kind.toLowerCase())
      .replaceAll('"shared"', "shared")
      .replaceAll('"performance"', "performance");
  if (dialect === "graphql") {
    for (const issue of issues) {
      // GraphQL's own words: no REST names in what a GraphQL client reads.
      expect(issue.field).not.toMatch(/_/);
      expect(issue.message).not.toMatch(/memory_mb|cpu_kind|volume_size_gb|gpu_kind|"shared"/);
    }
  }
  return issues.map(({ field, message }) => ({ field: words(field), message: words(message) }));
}

/** [case, hardware, accepted over the system default] */
const CASES: [string, Wire, boolean][] = [
  ["the system default", {}, true],
  ["the smallest shared machine", { cpus: 1, memory_mb: 256 }, true],
  ["shared memory at 2048 × cpus", { cpus: 1, memory_mb: 2048 }, true],
  ["shared memory over 2048 × cpus", { cpus: 1, memory_mb: 2304 }, false],
  ["shared memory under 256 × cpus", { cpus: 8, memory_mb: 1792 }, false],
  ["the largest shared machine", { cpus: 8, memory_mb: 16384 }, true],
  ["memory not a multiple of 256", { memory_mb: 2000 }, false],
  ["memory under 256", { cpus: 1, memory_mb: 128 }, false],
  ["a cpu count not on offer", { cpus: 3 }, false],
  ["zero cpus", { cpus: 0 }, false],
  ["performance at 2048 × cpus", { cpu_kind: "performance", cpus: 1, memory_mb: 2048 }, true],
  ["performance under 2048 × cpus", { cpu_kind: "performance", cpus: 2, memory_mb: 3072 }, false],
  [
    "performance memory not a multiple of 1024",
    { cpu_kind: "performance", memory_mb: 4608 },
    false,
  ],
  ["performance over the 16384 cap", { cpu_kind: "performance", cpus: 4, memory_mb: 17408 }, false],
  ["performance at the cap", { cpu_kind: "performance", cpus: 8, memory_mb: 16384 }, true],
  ["performance with the default memory", { cpu_kind: "performance" }, false],
  ["the smallest volume", { volume_size_gb: 1 }, true],
  ["the largest volume", { volume_size_gb: 500 }, true],
  ["no volume", { volume_size_gb: 0 }, false],
  ["a volume over 500", { volume_size_gb: 501 }, false],
  ["a GPU on offer", { cpu_kind: "performance", cpus: 2, memory_mb: 4096, gpu_kind: "a10g" }, true],
  ["a GPU on shared cpus", { gpu_kind: "a10g" }, false],
  [
    "a GPU not on offer",
    { cpu_kind: "performance", cpus: 2, memory_mb: 4096, gpu_kind: "h100" },
    false,
  ],
  ["no GPU, explicitly", { gpu_kind: null }, true],
  ["cpus null", { cpus: null }, false],
  ["memory null", { memory_mb: null }, false],
  ["several rules at once", { cpus: 3, memory_mb: 100, volume_size_gb: 0 }, false],
];

/**
 * The REST request a GraphQL input with `wire`'s values matches: in GraphQL null means "left out"
 * (REST refuses `cpus: null`), and "no GPU" is `gpuKind: ""` where REST says `gpu_kind: null`.
 */
function restEquivalent(wire: Wire): Wire {
  return Object.fromEntries(
    Object.entries(wire).filter(([key, value]) => value !== null || key === "gpu_kind"),
  ) as Wire;
}

/** The wire object as HardwareInput: camelCase keys, the CPU kind as the enum, no GPU as "". */
function hardwareInput(wire: Wire): HardwareInput {
  const input: HardwareInput = {};
  if (wire.cpu_kind !== undefined) {
    input.cpuKind = wire.cpu_kind === null ? null : (wire.cpu_kind.toUpperCase() as CpuKind);
  }
  if (wire.cpus !== undefined) input.cpus = wire.cpus;
  if (wire.memory_mb !== undefined) input.memoryMb = wire.memory_mb;
  if (wire.volume_size_gb !== undefined) input.volumeSizeGb = wire.volume_size_gb;
  if (wire.gpu_kind !== undefined) input.gpuKind = wire.gpu_kind ?? "";
  return input;
}

/** GraphQL's Hardware as REST writes it. */
function wireHardware(hardware: {
  cpuKind: string;
  cpus: number;
  memoryMb: number;
  volumeSizeGb: number;
  gpuKind?: string | null;
}) {
  return {
    cpu_kind: hardware.cpuKind.toLowerCase(),
    cpus: hardware.cpus,
    memory_mb: hardware.memoryMb,
    volume_size_gb: hardware.volumeSizeGb,
    gpu_kind: hardware.gpuKind ?? null,
  };
}

type Outcome = { accepted: unknown } | { refused: unknown };

describe.each(databaseTargets)("hardware parity on the $name database", (target) => {
  describe.skipIf(target.skip)("", () => {
    const server = useServer(target.open, { GPU_KINDS: "a10g" });

    /** Two users with the same stored defaults: one for each door. */
    async function pair(label: string, defaults: ServiceHardwareRequest | null) {
      const users: SeededUser[] = [];
      for (const door of ["rest", "graphql"]) {
        const seeded = await seedUser(server.services, `${label}-${door}`);
        if (defaults) {
          const updated = await server.services.users.replaceDefaultHardware(seeded.user, defaults);
          if (!updated.ok) throw new Error(updated.error.message);
          seeded.user = updated.value;
        }
        users.push(seeded);
      }
      return users as [SeededUser, SeededUser];
    }

    async function createOverRest(user: SeededUser, hardware: Wire): Promise<Outcome> {
      const api = restClient(server.url);
      const response = await api.post(`/projects/${user.project.id}/workspaces`, {
        token: user.token,
        json: { hardware },
      });
      if (response.status === 201) return { accepted: response.json.hardware };
      expect(response.status, response.text).toBe(400);
      return { refused: inRestWords(response.json.details, "rest") };
    }

    async function createOverGraphQL(user: SeededUser, hardware: Wire): Promise<Outcome> {
      const result = await graphqlClient(server.url, user.token).data(CreateWithHardware, {
        input: { projectId: user.project.id, hardware: hardwareInput(hardware) },
      });
      const member = result.createWorkspace;
      if (member.__typename === "CreateWorkspaceSuccess") {
        return { accepted: wireHardware(member.workspace.hardware) };
      }
      if (member.__typename === "InvalidHardwareError") {
        return { refused: inRestWords(member.issues, "graphql") };
      }
      throw new Error(`unexpected ${JSON.stringify(member)}`);
    }

    for (const [label, defaults] of [
      ["with the system default", null],
      [
        "over stored defaults",
        { cpuKind: "performance", cpus: 4, memoryMb: 16384, volumeSizeGb: 40 },
      ],
    ] as const) {
      describe(`createWorkspace ${label}`, () => {
        let rest: SeededUser;
        let gql: SeededUser;
        beforeAll(async () => {
          [rest, gql] = await pair("create", defaults);
        });

        it.each(CASES)("%s: the same outcome", async (_case, hardware, accepted) => {
          const viaRest = await createOverRest(rest, hardware);
          const viaGraphQL = await createOverGraphQL(gql, hardware);
          const same = restEquivalent(hardware);
          const matched =
            Object.keys(same).length === Object.keys(hardware).length
              ? viaRest
              : await createOverRest(rest, same);
          expect(viaGraphQL).toEqual(matched);
          if (defaults === null) expect("accepted" in viaRest).toBe(accepted);
        });
      });
    }

    describe("updateDefaultHardware and PUT /user/settings", () => {
      it.each(CASES)("%s: the same outcome", async (_case, hardware, accepted) => {
        const [rest, gql] = await pair("settings", null);
        if (Object.keys(restEquivalent(hardware)).length !== Object.keys(hardware).length) {
          // REST itself still refuses the null (its documented meaning).
          const direct = await restClient(server.url).put("/user/settings", {
            token: rest.token,
            json: { default_hardware: hardware },
          });
          expect(direct.status === 200).toBe(accepted);
        }
        const response = await restClient(server.url).put("/user/settings", {
          token: rest.token,
          json: { default_hardware: restEquivalent(hardware) },
        });
        const viaRest: Outcome =
          response.status === 200
            ? { accepted: response.json.default_hardware }
            : { refused: inRestWords(response.json.details, "rest") };
        expect([200, 400], response.text).toContain(response.status);

        const result = await graphqlClient(server.url, gql.token).data(SetDefaultHardware, {
          input: hardwareInput(hardware),
        });
        const member = result.updateDefaultHardware;
        const viaGraphQL: Outcome =
          member.__typename === "UpdateDefaultHardwareSuccess"
            ? { accepted: wireHardware(member.user.defaultHardware) }
            : {
                refused:
                  member.__typename === "InvalidHardwareError"
                    ? inRestWords(member.issues, "graphql")
                    : member,
              };
        expect(viaGraphQL).toEqual(viaRest);
        if (Object.keys(restEquivalent(hardware)).length === Object.keys(hardware).length) {
          expect("accepted" in viaRest).toBe(accepted);
        }
      });
    });
  });
});
