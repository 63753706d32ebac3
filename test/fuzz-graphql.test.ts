/**
 * Property-based fuzzing of the GraphQL `createWorkspace` mutation (CONTRACT §3, §4) over real
 * HTTP, and of hardware parity between the two doors:
 *
 * - generated variables (every HardwareInput field random, wrong types and nulls included;
 *   random projectId, keepActive, idempotencyKey; now and then no or a bad token): the answer is
 *   never 5xx and is either a CreateWorkspaceResult member with its fields, or `errors` with
 *   messages, never "Unexpected error."; an independent model of the GraphQL types, of CONTRACT §8
 *   (null in an input means "left out", `gpuKind: ""` means no GPU, a key of a bad length is
 *   InvalidInputError data naming `idempotencyKey`) and of §4 says which; no refused request and
 *   no replay writes a row (counted per batch);
 * - the same generated REST hardware through REST and GraphQL, GraphQL getting the input that
 *   means the same (REST `hardware: null` → left out, `gpu_kind: null` → `gpuKind: ""`): each
 *   door answers what its model says, and where the two requests mean the same, accepted by both
 *   (same hardware stored) or refused by both with the same failing fields modulo naming
 *   (`hardware.memory_mb` = `hardware.memoryMb`); when GraphQL's types refuse the value, the
 *   fields its errors name are the ones the model says GraphQL cannot carry.
 *
 * FC_SEED fixes the seed; FUZZ_CASES (or FUZZ_GRAPHQL_CASES, FUZZ_PARITY_CASES) sets the cases
 * per database (defaults below); FUZZ_SHRINK_RUNS bounds shrinking (test/kit/arbitraries.ts).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  boundedShrinking,
  coherentHardware as coherentHardwareOf,
  FUZZ_SEED,
  fuzzCases,
  PhaseTimer,
  printable,
  rarely,
  sendCounting as sendCountingRows,
} from "./kit/arbitraries.js";
import { databaseTargets } from "./kit/database.js";
import { type SeededUser, seedUser } from "./kit/seed.js";
import { useServer } from "./kit/server.js";

const BATCH = 25;
const targets = databaseTargets.filter((target) => !target.skip);
/**
 * Per database, and the same cases on each (one seed: a failure's seed reproduces on both). The
 * defaults keep the file near half a minute; FUZZ_CASES=5000 or more for a deep run.
 */
const GRAPHQL_CASES = fuzzCases(process.env.FUZZ_GRAPHQL_CASES, 500, BATCH);
const PARITY_CASES = fuzzCases(process.env.FUZZ_PARITY_CASES, 250, BATCH);
const GPU_KINDS = ["a10g", "l4"];
const SYSTEM_DEFAULT: Record<string, unknown> = {
  cpu_kind: "shared",
  cpus: 2,
  memory_mb: 2048,
  volume_size_gb: 10,
  gpu_kind: null,
};
const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LEAKS = /\bat \S.*\.(?:[cm]?js|ts):\d+:\d+|prisma|postgres|pglite|SELECT |INSERT |violates/i;

const CREATE = /* GraphQL */ `
  mutation FuzzCreate($input: CreateWorkspaceInput!) {
    createWorkspace(input: $input) {
      __typename
      ... on Error { message }
      ... on CreateWorkspaceSuccess {
        replayed
        workspace {
          id projectId status keepActive previewToken machineId createdAt
          hardware { cpuKind cpus memoryMb volumeSizeGb gpuKind }
        }
      }
      ... on InvalidHardwareError { issues { field message } }
      ... on InvalidInputError { issues { field message } }
    }
  }
`;

// ---------------------------------------------------------------------------------------------
// The model, written from the contract: REST's wire types and GraphQL's input types, then §4.
// ---------------------------------------------------------------------------------------------

const HW_FIELDS = ["cpu_kind", "cpus", "memory_mb", "volume_size_gb", "gpu_kind"] as const;
const CAMEL: Record<string, string> = {
  cpu_kind: "cpuKind",
  cpus: "cpus",
  memory_mb: "memoryMb",
  volume_size_gb: "volumeSizeGb",
  gpu_kind: "gpuKind",
};
const SNAKE = Object.fromEntries(Object.entries(CAMEL).map(([snake, camel]) => [camel, snake]));
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A hardware field name as the model names it: `memory_mb`, whatever the door wrote. */
function normalizeField(field: string): string {
  const bare = field.replace(/^(input\.)?hardware\.?/, "");
  return Object.hasOwn(SNAKE, bare) ? (SNAKE[bare] as string) : bare;
}

type Verdict = { accepted: true } | { accepted: false; fields: Set<string>; maybe: Set<string> };

/** §4 on merged hardware whose values have the right types (no defaults stored for the user). */
function judgeRules(request: Record<string, unknown>): Verdict {
  const hw = { ...SYSTEM_DEFAULT, ...request };
  const fields = new Set<string>();
  const maybe = new Set<string>();
  const cpus = hw.cpus as number;
  const memory = hw.memory_mb as number;
  const volume = hw.volume_size_gb as number;
  const shared = hw.cpu_kind === "shared";
  const cpusValid = [1, 2, 4, 6, 8].includes(cpus);
  if (!cpusValid) fields.add("cpus");
  const step = shared ? 256 : 1024;
  if (memory < 256 || memory > 16384 || memory % step !== 0) fields.add("memory_mb");
  else if (!cpusValid) maybe.add("memory_mb");
  else {
    const [low, high] = shared ? [256 * cpus, 2048 * cpus] : [2048 * cpus, 8192 * cpus];
    if (memory < low || memory > high) fields.add("memory_mb");
  }
  if (volume < 1 || volume > 500) fields.add("volume_size_gb");
  if (hw.gpu_kind !== null && (!GPU_KINDS.includes(hw.gpu_kind as string) || shared)) {
    fields.add("gpu_kind");
  }
  return fields.size > 0 ? { accepted: false, fields, maybe } : { accepted: true };
}

/**
 * The fields of a wire hardware object that the service's shape check refuses (REST's types:
 * unknown keys, a cpu_kind not on offer, non-integers, a gpu_kind neither string nor null;
 * null only for gpu_kind). The same check runs on what GraphQL's types let through.
 */
function shapeFields(hardware: Record<string, unknown>): Set<string> {
  const fields = new Set<string>();
  for (const [key, value] of Object.entries(hardware)) {
    if (!(HW_FIELDS as readonly string[]).includes(key)) fields.add(key);
    else if (key === "cpu_kind" && !["shared", "performance"].includes(value as string)) {
      fields.add(key);
    } else if (key === "gpu_kind" && value !== null && typeof value !== "string") fields.add(key);
    else if (
      ["cpus", "memory_mb", "volume_size_gb"].includes(key) &&
      !(typeof value === "number" && Number.isSafeInteger(value))
    ) {
      fields.add(key);
    }
  }
  return fields;
}

/** REST: `{"hardware": <hardware>}`. */
function judgeRest(hardware: unknown): Verdict {
  if (hardware === null || hardware === undefined) return judgeRules({});
  if (!isObject(hardware)) {
    return { accepted: false, fields: new Set([""]), maybe: new Set() };
  }
  const shape = shapeFields(hardware);
  if (shape.size > 0) return { accepted: false, fields: shape, maybe: new Set() };
  return judgeRules(hardware);
}

/** The GraphQL variable for a wire hardware object: camelCase keys, CPU kinds as enum names. */
function toGraphQL(hardware: unknown): unknown {
  if (!isObject(hardware)) return hardware;
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(hardware)) {
    let mapped = value;
    if (key === "cpu_kind" && typeof value === "string") {
      // REST's values as enum names; anything else as a value no enum has ("SHARED" is not a
      // REST value, so it must not become one here).
      mapped = value === "shared" || value === "performance" ? value.toUpperCase() : `~${value}`;
    }
    input[Object.hasOwn(CAMEL, key) ? (CAMEL[key] as string) : key] = mapped;
  }
  return input;
}

/** GraphQL's "no GPU" (CONTRACT §8: null in an input means "left out"). */
const NO_GPU = "";

/**
 * The GraphQL input that means what a REST hardware object means: REST's `hardware: null` is
 * GraphQL's left-out, REST's `gpu_kind: null` (no GPU) is `gpuKind: ""`. `same`: GraphQL can say
 * exactly that; not for a REST null in another field (REST refuses it, GraphQL reads null as
 * left out) nor for a REST `gpu_kind: ""` (a kind not on offer for REST, no GPU for GraphQL).
 */
function graphQLMeaning(hardware: unknown): { input: unknown; same: boolean } {
  if (!isObject(hardware)) return { input: toGraphQL(hardware), same: true };
  const input = toGraphQL(hardware) as Record<string, unknown>;
  if (Object.hasOwn(hardware, "gpu_kind") && hardware.gpu_kind === null) input.gpuKind = NO_GPU;
  const same = Object.entries(hardware).every(([key, value]) =>
    key === "gpu_kind"
      ? value !== NO_GPU
      : !(HW_FIELDS as readonly string[]).includes(key) || value !== null,
  );
  return { input, same };
}

/**
 * The hardware fields (REST's names) that GraphQL's input types refuse in a HardwareInput
 * variable before any resolver runs (variable coercion): unknown keys, Int outside 32 bits or not
 * an integer, String not a string, a CPU kind that is no enum name; null is always allowed. A
 * non-object hardware gives "".
 */
function graphQLTypeFields(input: unknown): Set<string> {
  const fields = new Set<string>();
  if (input === null || input === undefined) return fields;
  if (!isObject(input)) return new Set([""]);
  for (const [key, value] of Object.entries(input)) {
    const field = Object.hasOwn(SNAKE, key) ? SNAKE[key] : undefined;
    if (field === undefined) fields.add(key);
    else if (value === null) continue;
    else if (key === "cpuKind" && value !== "SHARED" && value !== "PERFORMANCE") fields.add(field);
    else if (key === "gpuKind" && typeof value !== "string") fields.add(field);
    else if (
      ["cpus", "memoryMb", "volumeSizeGb"].includes(key) &&
      !(
        typeof value === "number" &&
        Number.isInteger(value) &&
        value >= INT32_MIN &&
        value <= INT32_MAX
      )
    ) {
      fields.add(field);
    }
  }
  return fields;
}

/**
 * What createWorkspace does with a HardwareInput its types let through (CONTRACT §8, §4): null
 * or left out as a whole, the defaults; a null field, that field from the defaults; `gpuKind: ""`,
 * no GPU; then §4 on the merged hardware.
 */
function judgeGraphQL(input: unknown): Verdict {
  const request: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(isObject(input) ? input : {})) {
    if (value === null) continue;
    const field = SNAKE[key] as string;
    if (key === "cpuKind") request[field] = String(value).toLowerCase();
    else if (key === "gpuKind") request[field] = value === NO_GPU ? null : value;
    else request[field] = value;
  }
  return judgeRules(request);
}

// ---------------------------------------------------------------------------------------------
// Generators: hardware as JSON values (both doors send them as JSON).
// ---------------------------------------------------------------------------------------------

const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, [], {}, "2", "two", [2], { value: 2 }, ""),
  fc.jsonValue({ maxDepth: 2 }),
);

const oddNumber = fc.constantFrom(
  2.5,
  0.5,
  -0,
  1e21,
  2 ** 31,
  2 ** 31 - 1,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 53 + 2,
  1e-7,
  -256,
  Number.MAX_SAFE_INTEGER,
);

const intField = (valid: fc.Arbitrary<number>) =>
  fc.oneof(
    { weight: 10, arbitrary: valid },
    { weight: 3, arbitrary: fc.integer({ min: -5, max: 20000 }) },
    { weight: 2, arbitrary: oddNumber },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 9000 }).map(String) },
    { weight: 1, arbitrary: junk },
  );

const FIELD_VALUES: Record<string, fc.Arbitrary<unknown>> = {
  cpu_kind: fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom("shared", "performance") },
    { weight: 1, arbitrary: fc.constantFrom("SHARED", "Shared", "gpu", "", " shared") },
    { weight: 1, arbitrary: junk },
  ),
  cpus: intField(fc.constantFrom(1, 2, 4, 6, 8)),
  memory_mb: intField(
    fc.oneof(
      fc.integer({ min: 1, max: 66 }).map((n) => n * 256),
      fc.integer({ min: 1, max: 17 }).map((n) => n * 1024),
    ),
  ),
  volume_size_gb: intField(fc.oneof(fc.integer({ min: 0, max: 501 }), fc.constantFrom(1, 500))),
  gpu_kind: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(null, "a10g", "l4") },
    { weight: 2, arbitrary: fc.constantFrom("h100", "", "A10G", "a10g ") },
    { weight: 1, arbitrary: junk },
  ),
};

const coherentHardware = coherentHardwareOf(GPU_KINDS);

/** Accepted hardware with one field replaced by any value. */
const nearHardware = coherentHardware.chain((hardware) =>
  fc.constantFrom(...HW_FIELDS).chain((field) =>
    (FIELD_VALUES[field] as fc.Arbitrary<unknown>).map((value) => ({
      ...hardware,
      [field]: value,
    })),
  ),
);

/** Wire hardware: some of the five fields (any values), rarely an unknown key, or not an object. */
const wireHardware: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: coherentHardware },
  { weight: 12, arbitrary: nearHardware },
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.record(FIELD_VALUES, { requiredKeys: [] }),
        // Not GraphQL's names (memoryMb): keys unknown to both doors.
        rarely(fc.tuple(fc.constantFrom("cpu", "CPUS", "memory", "toString", "extra"), junk), 10),
      )
      .map(([known, unknown]) => (unknown ? { ...known, [unknown[0]]: unknown[1] } : known)),
  },
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom(5, "shared", [], [{ cpus: 2 }], true) },
);

type Who = "own" | "nobody";
const authorization = fc.oneof(
  { weight: 20, arbitrary: fc.constant({ kind: "own", who: "own" as Who }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      { kind: "none", who: "nobody" as Who },
      { kind: "garbage", who: "nobody" as Who },
      { kind: "basic", who: "nobody" as Who },
    ),
  },
);

const projectRef = fc.oneof(
  { weight: 16, arbitrary: fc.constant({ kind: "own", value: undefined as unknown }) },
  { weight: 2, arbitrary: fc.constant({ kind: "foreign", value: undefined as unknown }) },
  {
    weight: 2,
    arbitrary: fc.uuid().map((value) => ({ kind: "missing", value: value as unknown })),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        printable(60),
        fc.constantFrom("not-a-uuid", "'; DROP TABLE workspaces; --", "x".repeat(2000)),
      )
      .map((value) => ({ kind: "bad", value: value as unknown })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom<unknown>(42, null, true, 1.5, ["a"], {})
      .map((value) => ({ kind: "wrong-type", value })),
  },
);

const keepActive = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom<unknown>(undefined, true, false) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, "true", 1, 0, [true], {}) },
);

const idempotencyKey = fc.oneof(
  { weight: 10, arbitrary: fc.constant<unknown>(undefined) },
  { weight: 1, arbitrary: fc.constant<unknown>(null) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>("g-1", "g-2", "g-3") },
  { weight: 3, arbitrary: printable(300, 0, [1, 254, 255, 256]) as fc.Arbitrary<unknown> },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(42, true, ["k"], { k: 1 }) },
);

const graphqlCase = fc.record({
  auth: authorization,
  authGarbage: printable(60),
  project: projectRef,
  hardware: wireHardware,
  keepActive,
  idempotencyKey,
  extraInputKey: rarely(fc.constantFrom("projectID", "hardwareInput", "keep_active"), 30),
});
type GraphQLCase = typeof graphqlCase extends fc.Arbitrary<infer T> ? T : never;

// ---------------------------------------------------------------------------------------------

interface GraphQLAnswer {
  status: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: checked field by field
  body: any;
}

type Outcome =
  | { kind: "created"; workspace: Record<string, unknown>; replayed: boolean }
  | { kind: "member"; typename: string; fields: Set<string> }
  | { kind: "errors"; fields: Set<string>; codes: string[] };

/** The answer read as one of the documented outcomes; a message for each way it is none. */
function readGraphQL(answer: GraphQLAnswer): { outcome?: Outcome; problems: string[] } {
  const problems: string[] = [];
  const { status, body } = answer;
  if (status < 200 || status >= 500) problems.push(`status ${status}`);
  if (!isObject(body)) return { problems: [...problems, "not a JSON object"] };
  if (LEAKS.test(answer.text)) problems.push("internal text in the answer");
  const errors = body.errors;
  if (errors !== undefined) {
    if (!Array.isArray(errors) || errors.length === 0) {
      return { problems: [...problems, "errors is not a non-empty list"] };
    }
    const fields = new Set<string>();
    const codes: string[] = [];
    for (const error of errors) {
      if (!isObject(error) || typeof error.message !== "string" || error.message === "") {
        problems.push("an error without a message");
        continue;
      }
      if (error.message === "Unexpected error.") problems.push('"Unexpected error."');
      const code = (error.extensions as { code?: unknown } | undefined)?.code;
      if (typeof code === "string") codes.push(code);
      const at = /at "input\.hardware(?:\.(\w+))?"/.exec(error.message);
      if (at) {
        const unknown = /Field "(\w+)" is not defined by type "HardwareInput"/.exec(error.message);
        fields.add(normalizeField(unknown?.[1] ?? at[1] ?? ""));
      } else if (/"input\.hardware"|HardwareInput/.test(error.message)) {
        fields.add("");
      }
    }
    if ((body.data as { createWorkspace?: unknown } | null | undefined)?.createWorkspace) {
      problems.push("both data and errors");
    }
    return { outcome: { kind: "errors", fields, codes }, problems };
  }
  const result = (body.data as { createWorkspace?: unknown } | null | undefined)?.createWorkspace;
  if (!isObject(result)) return { problems: [...problems, "neither data nor errors"] };
  if (status !== 200) problems.push(`a result with HTTP ${status}`);
  switch (result.__typename) {
    case "CreateWorkspaceSuccess": {
      const workspace = result.workspace;
      if (!isObject(workspace)) return { problems: [...problems, "success without a workspace"] };
      if (typeof workspace.id !== "string" || !UUID.test(workspace.id)) problems.push("id");
      if (workspace.status !== "CREATING" && workspace.status !== "STARTING") {
        // A replayed key answers the workspace as it is now; a new one is CREATING.
        if (!["RUNNING", "STOPPING", "STOPPED", "ERROR"].includes(workspace.status as string)) {
          problems.push(`status ${workspace.status}`);
        }
      }
      if (!/^ptk_[A-Za-z0-9_-]{22,}$/.test(String(workspace.previewToken))) problems.push("token");
      if (typeof workspace.keepActive !== "boolean") problems.push("keepActive");
      if (typeof result.replayed !== "boolean") problems.push("replayed");
      if (result.replayed === false && workspace.status !== "CREATING") {
        problems.push(`a new workspace in status ${workspace.status}`);
      }
      return {
        outcome: { kind: "created", workspace, replayed: result.replayed === true },
        problems,
      };
    }
    case "InvalidHardwareError": {
      const issues = result.issues;
      if (!Array.isArray(issues) || issues.length === 0) problems.push("no issues");
      const fields = new Set<string>(
        (Array.isArray(issues) ? issues : []).map((issue: { field: string }) =>
          normalizeField(issue.field),
        ),
      );
      if (typeof result.message !== "string" || result.message === "") problems.push("message");
      return { outcome: { kind: "member", typename: "InvalidHardwareError", fields }, problems };
    }
    case "InvalidInputError": {
      // The one input rule these cases can break: the key's length. Its message and its issue's
      // both name the field, and the message says what is allowed.
      const issues = Array.isArray(result.issues) ? result.issues : [];
      const fields = new Set<string>(issues.map((issue: { field: string }) => issue.field));
      if (issues.length === 0) problems.push("no issues");
      for (const issue of issues) {
        if (!String(issue.message).includes(issue.field)) {
          problems.push(
            `issue message ${JSON.stringify(issue.message)} does not name ${issue.field}`,
          );
        }
      }
      const message = typeof result.message === "string" ? result.message : "";
      if (![...fields].every((field) => message.includes(field))) {
        problems.push(`message ${JSON.stringify(message)} does not name ${setText(fields)}`);
      }
      if (fields.has("idempotencyKey") && !/\b1 to 255\b/.test(message)) {
        problems.push(`message ${JSON.stringify(message)} does not say 1 to 255`);
      }
      return { outcome: { kind: "member", typename: "InvalidInputError", fields }, problems };
    }
    case "ProjectNotFoundError":
    case "IdempotencyConflictError":
      if (typeof result.message !== "string" || result.message === "") problems.push("message");
      return {
        outcome: { kind: "member", typename: result.__typename, fields: new Set() },
        problems,
      };
    default:
      return { problems: [...problems, `__typename ${result.__typename}`] };
  }
}

const setText = (set: Set<string>) => `[${[...set].sort().join(", ")}]`;

describe.each(targets)("fuzzing GraphQL createWorkspace on $name", (target) => {
  const server = useServer(target.open, {
    GPU_KINDS: GPU_KINDS.join(","),
    RATE_LIMIT_PER_MINUTE: "0",
    CREATE_RATE_LIMIT_PER_MINUTE: "0",
    WORKSPACE_QUOTA: "0",
    // A batch is 25 (parity: 50) requests in flight from one token: the per-token caps would
    // answer some of them 429 depending on timing, which no model can predict. Off here; the
    // caps have their own n / n+1 tests (test/fairness.test.ts).
    MAX_CONCURRENT_REQUESTS_PER_TOKEN: "0",
    MAX_STREAMS_PER_TOKEN: "0",
    // FUZZ_LOG_LEVEL=error shows what the server logged for a failing case.
    LOG_LEVEL: process.env.FUZZ_LOG_LEVEL ?? "silent",
  });
  let me: SeededUser;
  let other: SeededUser;
  const counts = { graphql: 0, parity: 0, accepted: 0, byOutcome: new Map<string, number>() };
  const keysSent = new Set<string>();
  const timer = new PhaseTimer();

  beforeAll(async () => {
    me = await seedUser(server.services, "fuzz-graphql");
    other = await seedUser(server.services, "fuzz-graphql-other");
  });

  afterAll(() => {
    const outcomes = [...counts.byOutcome.entries()].map(([k, n]) => `${k}: ${n}`).join(", ");
    console.log(
      `fuzz-graphql on ${target.name}: ${counts.graphql} GraphQL cases, ${counts.parity} REST/GraphQL parity cases ` +
        `(seed ${FUZZ_SEED}; ${outcomes}; ${timer})`,
    );
  });

  const tally = (key: string) => counts.byOutcome.set(key, (counts.byOutcome.get(key) ?? 0) + 1);

  async function graphql(
    variables: Record<string, unknown>,
    authorization: string | undefined,
  ): Promise<GraphQLAnswer> {
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/json",
        ...(authorization === undefined ? {} : { authorization }),
      },
      body: JSON.stringify({ query: CREATE, variables }),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, text, body };
  }

  async function newProject(label: string): Promise<string> {
    const project = await server.services.projects.create(me.user.id, { name: label });
    if (!project.ok) throw new Error(project.error.message);
    return project.value.id;
  }

  /** A batch sent and the rows it wrote counted (and removed): kit/arbitraries.ts. */
  const sendCounting = <T>(send: () => Promise<T>) =>
    sendCountingRows(timer, server.database.prisma, [me.user.id, other.user.id], send);

  /** Whether GraphQL's input types refuse the case's variables (coercion, before resolvers). */
  function typeErrors(c: GraphQLCase, input: Record<string, unknown>): boolean {
    const { value } = c.project;
    return (
      c.extraInputKey !== undefined ||
      (c.project.kind === "wrong-type" &&
        !(typeof value === "number" && Number.isInteger(value))) ||
      graphQLTypeFields(input.hardware).size > 0 ||
      (c.keepActive !== undefined && c.keepActive !== null && typeof c.keepActive !== "boolean") ||
      (c.idempotencyKey !== undefined &&
        c.idempotencyKey !== null &&
        typeof c.idempotencyKey !== "string")
    );
  }

  /**
   * The outcomes the model allows for a case, and for InvalidHardwareError the fields. Several
   * only where the contract leaves the order open (coercion or authentication first; the project
   * or the hardware first) or where an earlier request with the same key decides (a replay, or
   * a conflict).
   */
  function expected(
    c: GraphQLCase,
    input: Record<string, unknown>,
    keySeen: boolean,
  ): { outcomes: string[]; hardware?: Verdict } {
    const typed = typeErrors(c, input);
    if (c.auth.who === "nobody") {
      return { outcomes: typed ? ["UNAUTHENTICATED", "errors"] : ["UNAUTHENTICATED"] };
    }
    if (typed) return { outcomes: ["errors"] };
    const key = c.idempotencyKey;
    // Checked before anything is looked up: data naming the field (CONTRACT §8).
    if (typeof key === "string" && (key.length === 0 || key.length > 255)) {
      return { outcomes: ["InvalidInputError"] };
    }
    // hardware and keepActive null: left out (CONTRACT §8), like idempotencyKey null.
    const hardware = judgeGraphQL(input.hardware);
    const outcomes =
      c.project.kind !== "own"
        ? ["ProjectNotFoundError", ...(hardware.accepted ? [] : ["InvalidHardwareError"])]
        : [hardware.accepted ? "CreateWorkspaceSuccess" : "InvalidHardwareError"];
    if (typeof key === "string" && keySeen) {
      outcomes.push("CreateWorkspaceSuccess", "IdempotencyConflictError");
    }
    return { outcomes: [...new Set(outcomes)], hardware };
  }

  /** InvalidHardwareError's fields against the model: all it finds, and nothing it rules out. */
  function fieldProblems(named: Set<string>, verdict: Verdict | undefined): string[] {
    if (verdict === undefined || verdict.accepted) return [];
    const missing = [...verdict.fields].filter((field) => !named.has(field));
    const extra = [...named].filter(
      (field) => !verdict.fields.has(field) && !verdict.maybe.has(field),
    );
    return missing.length > 0 || extra.length > 0
      ? [`issues name ${setText(named)}, the model ${setText(verdict.fields)}`]
      : [];
  }

  it(`answers ${GRAPHQL_CASES} generated createWorkspace requests as documented, writing rows only on success`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(graphqlCase, { minLength: BATCH, maxLength: BATCH }),
        boundedShrinking(async (batch) => {
          const projectId = await timer.time("project", () =>
            newProject(`fuzz graphql batch ${counts.graphql}`),
          );
          const seen = batch.map((c) => {
            if (typeof c.idempotencyKey !== "string") return false;
            return (
              keysSent.has(c.idempotencyKey) ||
              batch.filter((d) => d.idempotencyKey === c.idempotencyKey).length > 1
            );
          });
          for (const c of batch) {
            if (typeof c.idempotencyKey === "string") keysSent.add(c.idempotencyKey);
          }
          const requests = batch.map((c) => {
            const input: Record<string, unknown> = {
              projectId:
                c.project.kind === "own"
                  ? projectId
                  : c.project.kind === "foreign"
                    ? other.project.id
                    : c.project.value,
            };
            // Value for value: null stays null (left out), "" stays "" (no GPU).
            if (c.hardware !== undefined) input.hardware = toGraphQL(c.hardware);
            if (c.keepActive !== undefined) input.keepActive = c.keepActive;
            if (c.idempotencyKey !== undefined) input.idempotencyKey = c.idempotencyKey;
            if (c.extraInputKey !== undefined) input[c.extraInputKey] = true;
            const authorization =
              c.auth.kind === "own"
                ? `Bearer ${me.token}`
                : c.auth.kind === "garbage"
                  ? `Bearer ${c.authGarbage}`
                  : c.auth.kind === "basic"
                    ? "Basic dXNlcjpwYXNz"
                    : undefined;
            return { input, authorization };
          });

          const { answers, written } = await sendCounting(() =>
            Promise.all(
              requests.map(({ input, authorization }) => graphql({ input }, authorization)),
            ),
          );
          counts.graphql += batch.length;

          const failures: string[] = [];
          const fresh = new Set<string>();
          answers.forEach((answer, i) => {
            const c = batch[i] as GraphQLCase;
            const input = requests[i]?.input as Record<string, unknown>;
            const { outcome, problems } = readGraphQL(answer);
            const want = expected(c, input, seen[i] ?? false);
            let got = "none";
            if (outcome?.kind === "created") {
              got = "CreateWorkspaceSuccess";
              const workspace = outcome.workspace;
              if (workspace.projectId !== projectId) {
                problems.push(`created in ${workspace.projectId}, not in the requested project`);
              }
              if (outcome.replayed && !(seen[i] ?? false)) problems.push("a replay of a new key");
              if (!outcome.replayed) {
                if (fresh.has(workspace.id as string)) problems.push("one workspace new twice");
                fresh.add(workspace.id as string);
              }
            } else if (outcome?.kind === "member") {
              got = outcome.typename;
              if (got === "InvalidHardwareError") {
                problems.push(...fieldProblems(outcome.fields, want.hardware));
              } else if (
                got === "InvalidInputError" &&
                setText(outcome.fields) !== "[idempotencyKey]"
              ) {
                problems.push(`InvalidInputError names ${setText(outcome.fields)}`);
              }
            } else if (outcome?.kind === "errors") {
              got = outcome.codes.includes("UNAUTHENTICATED") ? "UNAUTHENTICATED" : "errors";
              if (got === "UNAUTHENTICATED" && answer.status !== 401) {
                problems.push(`UNAUTHENTICATED with HTTP ${answer.status}`);
              }
            }
            tally(got);
            if (!want.outcomes.includes(got)) {
              problems.push(`expected ${want.outcomes.join(" or ")}, got ${got}`);
            }
            if (got === "errors" && outcome?.kind === "errors") {
              const typeFields = graphQLTypeFields(input.hardware);
              const named = new Set([...outcome.fields].filter((field) => field !== ""));
              const missing = [...typeFields].filter((field) => field !== "" && !named.has(field));
              if (missing.length > 0) {
                problems.push(
                  `errors name ${setText(named)}, the types refuse ${setText(typeFields)}`,
                );
              }
            }
            if (problems.length > 0) {
              failures.push(
                `${problems.join("; ")}\n  variables: ${JSON.stringify(input).slice(0, 600)} (auth ${c.auth.kind})\n  answer: ${answer.status} ${answer.text.slice(0, 600)}`,
              );
            }
          });
          // A replay answers a workspace that exists already: only new ones are new rows.
          if (written !== fresh.size) {
            failures.push(`${written} rows written for ${fresh.size} new workspaces`);
          }
          counts.accepted += fresh.size;
          if (failures.length > 0) throw new Error(failures.join("\n\n"));
        }),
      ),
      { seed: FUZZ_SEED, numRuns: GRAPHQL_CASES / BATCH, endOnFailure: false },
    );
    expect(counts.graphql).toBeGreaterThanOrEqual(GRAPHQL_CASES);
  }, 600_000);

  it(`accepts and refuses the same ${PARITY_CASES} generated hardware objects through REST and GraphQL`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(wireHardware, { minLength: BATCH, maxLength: BATCH }),
        boundedShrinking(async (batch) => {
          const projectId = await timer.time("project", () =>
            newProject(`fuzz parity batch ${counts.parity}`),
          );
          const meanings = batch.map(graphQLMeaning);
          const { answers, written } = await sendCounting(() =>
            Promise.all(
              batch.map(async (hardware, i) => {
                const rest = await fetch(`${server.url}/projects/${projectId}/workspaces`, {
                  method: "POST",
                  headers: {
                    authorization: `Bearer ${me.token}`,
                    "content-type": "application/json",
                  },
                  body: JSON.stringify(hardware === undefined ? {} : { hardware }),
                });
                const restText = await rest.text();
                const input: Record<string, unknown> = { projectId };
                const meant = meanings[i]?.input;
                if (meant !== undefined) input.hardware = meant;
                const gql = await graphql({ input }, `Bearer ${me.token}`);
                return { rest: { status: rest.status, text: restText }, gql };
              }),
            ),
          );
          counts.parity += batch.length;

          const failures: string[] = [];
          let created = 0;
          answers.forEach(({ rest, gql }, i) => {
            const hardware = batch[i];
            const { input: meant, same } = meanings[i] as { input: unknown; same: boolean };
            const problems: string[] = [];
            let restJson: Record<string, unknown> = {};
            try {
              restJson = JSON.parse(rest.text);
            } catch {
              problems.push("REST answered no JSON");
            }
            const { outcome, problems: gqlProblems } = readGraphQL(gql);
            problems.push(...gqlProblems.map((problem) => `GraphQL: ${problem}`));
            if (rest.status !== 201 && rest.status !== 400) problems.push(`REST ${rest.status}`);
            const restFields = new Set(
              ((restJson.details as { field: string }[] | undefined) ?? []).map((detail) =>
                normalizeField(detail.field),
              ),
            );
            if (rest.status === 201) created++;
            if (outcome?.kind === "created" && !outcome.replayed) created++;

            // REST against its model.
            const restVerdict = judgeRest(hardware);
            if (restVerdict.accepted !== (rest.status === 201)) {
              problems.push(
                `REST ${rest.status}, its model ${restVerdict.accepted ? "accepts" : "refuses"}`,
              );
            } else if (!restVerdict.accepted && rest.status === 400) {
              problems.push(...fieldProblems(restFields, restVerdict).map((p) => `REST: ${p}`));
            }

            // GraphQL against its model: the types first, then null as left out, "" as no GPU.
            const typeFields = graphQLTypeFields(meant);
            // The model judges only what the types let through (a value such as {"toString": 1}
            // has no string form to judge).
            const gqlVerdict = typeFields.size > 0 ? null : judgeGraphQL(meant);
            if (typeFields.size > 0 || !gqlVerdict) {
              if (outcome?.kind !== "errors") {
                problems.push(`GraphQL took ${setText(typeFields)}, which its types cannot carry`);
              } else if (setText(outcome.fields) !== setText(typeFields)) {
                problems.push(
                  `GraphQL errors name ${setText(outcome.fields)}, its types refuse ${setText(typeFields)}`,
                );
              }
            } else if (gqlVerdict.accepted) {
              if (outcome?.kind !== "created") problems.push("GraphQL refused, its model accepts");
            } else if (outcome?.kind !== "member" || outcome.typename !== "InvalidHardwareError") {
              problems.push(`GraphQL ${outcome?.kind}, its model: InvalidHardwareError`);
            } else {
              problems.push(
                ...fieldProblems(outcome.fields, gqlVerdict).map((p) => `GraphQL: ${p}`),
              );
            }

            // The two doors against each other, where the two requests mean the same.
            if (!same) {
              tally('parity: GraphQL\'s null or "" means otherwise');
            } else if (outcome?.kind === "errors") {
              tally("parity: GraphQL types refuse");
              if (rest.status !== 400) problems.push("GraphQL's types refuse what REST accepts");
            } else if (outcome) {
              tally(`parity: ${outcome.kind === "created" ? "both accept" : "both refuse"}`);
              if ((rest.status === 201) !== (outcome.kind === "created")) {
                problems.push(`REST ${rest.status}, GraphQL ${outcome.kind}`);
              } else if (outcome.kind === "created") {
                const stored = outcome.workspace.hardware as Record<string, unknown>;
                const asRest = {
                  cpu_kind: String(stored.cpuKind).toLowerCase(),
                  cpus: stored.cpus,
                  memory_mb: stored.memoryMb,
                  volume_size_gb: stored.volumeSizeGb,
                  gpu_kind: stored.gpuKind,
                };
                const restHardware = restJson.hardware as Record<string, unknown>;
                if (JSON.stringify(asRest) !== JSON.stringify(restHardware)) {
                  problems.push(
                    `stored ${JSON.stringify(asRest)} vs ${JSON.stringify(restHardware)}`,
                  );
                }
              } else if (
                outcome.kind === "member" &&
                setText(outcome.fields) !== setText(restFields)
              ) {
                problems.push(
                  `failing fields: REST ${setText(restFields)}, GraphQL ${setText(outcome.fields)}`,
                );
              }
            }
            if (problems.length > 0) {
              failures.push(
                `${problems.join("; ")}\n  hardware (REST): ${JSON.stringify(hardware)}\n  GraphQL input: ${JSON.stringify(meant)}\n  REST: ${rest.status} ${rest.text.slice(0, 500)}\n  GraphQL: ${gql.status} ${gql.text.slice(0, 500)}`,
              );
            }
          });
          if (written !== created) {
            failures.push(`${written} rows written for ${created} workspaces created`);
          }
          counts.accepted += created;
          if (failures.length > 0) throw new Error(failures.join("\n\n"));
        }),
      ),
      { seed: FUZZ_SEED, numRuns: PARITY_CASES / BATCH, endOnFailure: false },
    );
    expect(counts.parity).toBeGreaterThanOrEqual(PARITY_CASES);
  }, 600_000);
});
