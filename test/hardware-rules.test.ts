/**
 * The hardware rules as the REST door reports them (snake_case, "shared"): each case states a
 * request in REST's names, runs it through the rules and renders the problems in REST's dialect.
 * GraphQL's dialect is covered at the end and in graphql-hardware-parity.test.ts.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { issuesFromZodError } from "../src/rest/body.js";
import {
  fromWireHardware,
  hardwareRequestSchema,
  toWireHardware,
  type WireHardware,
} from "../src/rest/hardware-wire.js";
import {
  type FieldIssue,
  GRAPHQL_DIALECT,
  type HardwareTarget,
  hardwareIssues,
  REST_DIALECT,
} from "../src/services/hardware-messages.js";
import {
  CPU_COUNTS,
  CPU_KINDS,
  type CpuKind,
  SYSTEM_DEFAULT_HARDWARE as RULES_DEFAULT,
  resolveHardware as resolveRules,
} from "../src/services/hardware-rules.js";

type Hardware = WireHardware;
type HardwareRequest = Partial<WireHardware>;
type HardwareResolution = { ok: true; hardware: Hardware } | { ok: false; issues: FieldIssue[] };

const SYSTEM_DEFAULT_HARDWARE = toWireHardware(RULES_DEFAULT);

/** The rules behind REST's names: snake_case in, snake_case hardware or REST issues out. */
function resolveHardware(
  request: HardwareRequest | null | undefined,
  userDefaults: HardwareRequest | null | undefined,
  { gpuKinds, target = "hardware" }: { gpuKinds: readonly string[]; target?: HardwareTarget },
): HardwareResolution {
  const result = resolveRules(
    request && fromWireHardware(request),
    userDefaults && fromWireHardware(userDefaults),
    gpuKinds,
  );
  return result.ok
    ? { ok: true, hardware: toWireHardware(result.hardware) }
    : { ok: false, issues: hardwareIssues(result.problems, target, REST_DIALECT) };
}

const GPU_KINDS = ["a100", "l40s"] as const;

function resolve(
  request: HardwareRequest | null | undefined,
  userDefaults: HardwareRequest | null | undefined = {},
  gpuKinds: readonly string[] = GPU_KINDS,
): HardwareResolution {
  return resolveHardware(request, userDefaults, { gpuKinds });
}

function hardwareOf(result: HardwareResolution): Hardware {
  if (!result.ok) throw new Error(`expected ok, got issues ${JSON.stringify(result.issues)}`);
  return result.hardware;
}

function issuesOf(result: HardwareResolution): FieldIssue[] {
  if (result.ok)
    throw new Error(`expected issues, got hardware ${JSON.stringify(result.hardware)}`);
  return result.issues;
}

/** Parse through the wire schema and turn a failure into field issues (what the REST shim does). */
function wireIssues(input: unknown, prefix = "hardware"): FieldIssue[] {
  const parsed = hardwareRequestSchema.safeParse(input);
  if (parsed.success) throw new Error(`expected a schema error for ${JSON.stringify(input)}`);
  return issuesFromZodError(parsed.error).map(({ field, message }) => ({
    field: [prefix, field].filter(Boolean).join("."),
    message,
  }));
}

/** Pass a value the static type forbids, as a mis-mapped GraphQL input or stored JSON could. */
function untyped(value: Record<string, unknown>): HardwareRequest {
  return value as HardwareRequest;
}

describe("constants", () => {
  it("lists the cpu kinds and counts of the contract", () => {
    expect(CPU_KINDS).toEqual(["shared", "performance"]);
    expect(CPU_COUNTS).toEqual([1, 2, 4, 6, 8]);
  });

  it("has the contract's system default, frozen", () => {
    expect(SYSTEM_DEFAULT_HARDWARE).toEqual({
      cpu_kind: "shared",
      cpus: 2,
      memory_mb: 2048,
      volume_size_gb: 10,
      gpu_kind: null,
    });
    expect(Object.isFrozen(RULES_DEFAULT)).toBe(true);
  });

  it("resolves an empty request with no user defaults to the system default", () => {
    expect(hardwareOf(resolve(undefined))).toEqual(SYSTEM_DEFAULT_HARDWARE);
    expect(hardwareOf(resolve(null, null))).toEqual(SYSTEM_DEFAULT_HARDWARE);
    expect(hardwareOf(resolve({}, {}, []))).toEqual(SYSTEM_DEFAULT_HARDWARE);
  });
});

describe("cpu_kind", () => {
  it.each(CPU_KINDS)("accepts %s", (cpu_kind) => {
    // 8192 MB with 4 cpus is valid for both kinds
    expect(hardwareOf(resolve({ cpu_kind, cpus: 4, memory_mb: 8192 })).cpu_kind).toBe(cpu_kind);
  });

  it.each(["SHARED", "Performance", "dedicated", ""])("rejects %j", (value) => {
    expect(issuesOf(resolve(untyped({ cpu_kind: value })))).toEqual([
      {
        field: "hardware.cpu_kind",
        message: `cpu_kind must be "shared" or "performance" (got ${JSON.stringify(value)})`,
      },
    ]);
  });
});

describe("cpus", () => {
  // The smallest memory valid for every count of each kind, so only cpus varies.
  const validMemory: Record<CpuKind, Record<number, number>> = {
    shared: { 1: 256, 2: 512, 4: 1024, 6: 1536, 8: 2048 },
    performance: { 1: 2048, 2: 4096, 4: 8192, 6: 12288, 8: 16384 },
  };
  const validCases = CPU_KINDS.flatMap((cpu_kind) =>
    CPU_COUNTS.map((cpus) => ({ cpu_kind, cpus, memory_mb: validMemory[cpu_kind][cpus] ?? 0 })),
  );

  it.each(validCases)("accepts $cpus $cpu_kind cpus", (request) => {
    expect(hardwareOf(resolve(request))).toMatchObject(request);
  });

  const invalidCases = CPU_KINDS.flatMap((cpu_kind) =>
    [0, 3, 5, 7, 16, -1].map((cpus) => ({ cpu_kind, cpus })),
  );

  it.each(invalidCases)("rejects $cpus $cpu_kind cpus", ({ cpu_kind, cpus }) => {
    // memory 4096 is a valid multiple for both kinds for some cpu count: only cpus is reported
    expect(issuesOf(resolve({ cpu_kind, cpus, memory_mb: 4096 }))).toEqual([
      { field: "hardware.cpus", message: `cpus must be one of 1, 2, 4, 6, 8 (got ${cpus})` },
    ]);
  });
});

describe("memory_mb boundaries for every cpus of every kind", () => {
  // Written out by hand from CONTRACT §4 (not computed by the code under test).
  const table: { cpu_kind: CpuKind; cpus: number; step: number; min: number; max: number }[] = [
    { cpu_kind: "shared", cpus: 1, step: 256, min: 256, max: 2048 },
    { cpu_kind: "shared", cpus: 2, step: 256, min: 512, max: 4096 },
    { cpu_kind: "shared", cpus: 4, step: 256, min: 1024, max: 8192 },
    { cpu_kind: "shared", cpus: 6, step: 256, min: 1536, max: 12288 },
    { cpu_kind: "shared", cpus: 8, step: 256, min: 2048, max: 16384 },
    { cpu_kind: "performance", cpus: 1, step: 1024, min: 2048, max: 8192 },
    { cpu_kind: "performance", cpus: 2, step: 1024, min: 4096, max: 16384 },
    { cpu_kind: "performance", cpus: 4, step: 1024, min: 8192, max: 16384 }, // 32768 capped
    { cpu_kind: "performance", cpus: 6, step: 1024, min: 12288, max: 16384 }, // 49152 capped
    { cpu_kind: "performance", cpus: 8, step: 1024, min: 16384, max: 16384 }, // only 16384
  ];

  const expectedMessage = (row: (typeof table)[number], memory: number): string => {
    const allowed =
      row.min === row.max
        ? `${row.min}`
        : `a multiple of ${row.step} between ${row.min} and ${row.max}`;
    const cpus = `${row.cpus} ${row.cpu_kind} ${row.cpus === 1 ? "cpu" : "cpus"}`;
    return `memory_mb must be ${allowed} for ${cpus} (got ${memory})`;
  };

  const accepted = table.flatMap((row) => [
    { ...row, memory_mb: row.min, where: "min" },
    { ...row, memory_mb: row.max, where: "max" },
  ]);
  it.each(accepted)("$cpus $cpu_kind: accepts $where $memory_mb", (row) => {
    const request = { cpu_kind: row.cpu_kind, cpus: row.cpus, memory_mb: row.memory_mb };
    expect(hardwareOf(resolve(request)).memory_mb).toBe(row.memory_mb);
  });

  const rejected = table.flatMap((row) => [
    { row, memory_mb: row.min - row.step, where: "min - step" },
    { row, memory_mb: row.max + row.step, where: "max + step" },
    { row, memory_mb: row.min + row.step / 2, where: "min + half a step (not a multiple)" },
    { row, memory_mb: row.min + 1, where: "min + 1 (not a multiple)" },
    { row, memory_mb: row.max - 1, where: "max - 1 (not a multiple)" },
  ]);
  it.each(rejected)(
    "$row.cpus $row.cpu_kind: rejects $where = $memory_mb",
    ({ row, memory_mb }) => {
      const request = { cpu_kind: row.cpu_kind, cpus: row.cpus, memory_mb };
      expect(issuesOf(resolve(request))).toEqual([
        { field: "hardware.memory_mb", message: expectedMessage(row, memory_mb) },
      ]);
    },
  );
});

describe("memory_mb absolute caps", () => {
  it("accepts exactly 256 (shared, 1 cpu) and exactly 16384 (shared, 8 cpus)", () => {
    expect(hardwareOf(resolve({ cpus: 1, memory_mb: 256 })).memory_mb).toBe(256);
    expect(hardwareOf(resolve({ cpus: 8, memory_mb: 16384 })).memory_mb).toBe(16384);
  });

  it.each([
    {
      cpu_kind: "shared",
      cpus: 8,
      memory_mb: 16640,
      bounds: "a multiple of 256 between 2048 and 16384",
    },
    {
      cpu_kind: "performance",
      cpus: 4,
      memory_mb: 17408,
      bounds: "a multiple of 1024 between 8192 and 16384",
    },
    {
      cpu_kind: "performance",
      cpus: 4,
      memory_mb: 32768,
      bounds: "a multiple of 1024 between 8192 and 16384",
    },
    { cpu_kind: "performance", cpus: 8, memory_mb: 17408, bounds: "16384" },
    { cpu_kind: "shared", cpus: 1, memory_mb: 0, bounds: "a multiple of 256 between 256 and 2048" },
    {
      cpu_kind: "shared",
      cpus: 1,
      memory_mb: -256,
      bounds: "a multiple of 256 between 256 and 2048",
    },
  ] as const)(
    "rejects $memory_mb for $cpus $cpu_kind cpus even where cpus × per-cpu would allow it",
    ({ cpu_kind, cpus, memory_mb, bounds }) => {
      const noun = cpus === 1 ? "cpu" : "cpus";
      expect(issuesOf(resolve({ cpu_kind, cpus, memory_mb }))).toEqual([
        {
          field: "hardware.memory_mb",
          message: `memory_mb must be ${bounds} for ${cpus} ${cpu_kind} ${noun} (got ${memory_mb})`,
        },
      ]);
    },
  );
});

describe("memory_mb when cpus or cpu_kind is invalid", () => {
  it.each([
    {
      name: "shared, cpus 3, memory fits some count: only cpus",
      request: { cpu_kind: "shared", cpus: 3, memory_mb: 2048 },
      memory: null,
    },
    {
      name: "shared, cpus 3, below the 256 cap",
      request: { cpu_kind: "shared", cpus: 3, memory_mb: 128 },
      memory: "memory_mb must be a multiple of 256 between 256 and 16384 for shared cpus (got 128)",
    },
    {
      name: "shared, cpus 3, above the 16384 cap",
      request: { cpu_kind: "shared", cpus: 3, memory_mb: 20480 },
      memory:
        "memory_mb must be a multiple of 256 between 256 and 16384 for shared cpus (got 20480)",
    },
    {
      name: "shared, cpus 3, not a multiple of 256",
      request: { cpu_kind: "shared", cpus: 3, memory_mb: 1000 },
      memory:
        "memory_mb must be a multiple of 256 between 256 and 16384 for shared cpus (got 1000)",
    },
    {
      name: "performance, cpus 5, below every performance minimum",
      request: { cpu_kind: "performance", cpus: 5, memory_mb: 1024 },
      memory:
        "memory_mb must be a multiple of 1024 between 2048 and 16384 for performance cpus (got 1024)",
    },
    {
      name: "performance, cpus 5, a multiple of 256 but not of 1024",
      request: { cpu_kind: "performance", cpus: 5, memory_mb: 2560 },
      memory:
        "memory_mb must be a multiple of 1024 between 2048 and 16384 for performance cpus (got 2560)",
    },
    {
      name: "performance, cpus 5, a valid performance size: only cpus",
      request: { cpu_kind: "performance", cpus: 5, memory_mb: 10240 },
      memory: null,
    },
  ] as const)("$name", ({ request, memory }) => {
    const issues = issuesOf(resolve(request));
    expect(issues[0]).toEqual({
      field: "hardware.cpus",
      message: `cpus must be one of 1, 2, 4, 6, 8 (got ${request.cpus})`,
    });
    expect(issues.slice(1)).toEqual(
      memory === null ? [] : [{ field: "hardware.memory_mb", message: memory }],
    );
  });

  it("with an invalid cpu_kind, checks only the absolute caps and multiples of 256", () => {
    expect(issuesOf(resolve(untyped({ cpu_kind: "gpu", cpus: 2, memory_mb: 2048 })))).toHaveLength(
      1,
    );
    expect(issuesOf(resolve(untyped({ cpu_kind: "gpu", cpus: 2, memory_mb: 300 })))).toEqual([
      {
        field: "hardware.cpu_kind",
        message: 'cpu_kind must be "shared" or "performance" (got "gpu")',
      },
      {
        field: "hardware.memory_mb",
        message: "memory_mb must be a multiple of 256 between 256 and 16384 (got 300)",
      },
    ]);
  });

  it("never produces NaN, Infinity or undefined in messages", () => {
    const issues = issuesOf(
      resolve(untyped({ cpu_kind: "x", cpus: 0, memory_mb: 3, volume_size_gb: 0, gpu_kind: "zz" })),
    );
    expect(issues).toHaveLength(5);
    for (const issue of issues) expect(issue.message).not.toMatch(/NaN|Infinity|undefined/);
  });
});

describe("volume_size_gb", () => {
  it.each([1, 10, 500])("accepts %i", (volume_size_gb) => {
    expect(hardwareOf(resolve({ volume_size_gb })).volume_size_gb).toBe(volume_size_gb);
  });

  it.each([0, 501, -1, 1.5])("rejects %s", (volume_size_gb) => {
    expect(issuesOf(resolve({ volume_size_gb }))).toEqual([
      {
        field: "hardware.volume_size_gb",
        message: `volume_size_gb must be a whole number between 1 and 500 (got ${volume_size_gb})`,
      },
    ]);
  });
});

describe("gpu_kind", () => {
  const performance = { cpu_kind: "performance", cpus: 2, memory_mb: 8192 } as const;

  it("accepts no GPU with either kind, even when no GPUs are on offer", () => {
    expect(hardwareOf(resolve({ gpu_kind: null }, {}, [])).gpu_kind).toBeNull();
    expect(hardwareOf(resolve({ ...performance, gpu_kind: null }, {}, [])).gpu_kind).toBeNull();
  });

  it.each(GPU_KINDS)("accepts offered GPU %s with performance cpus", (gpu_kind) => {
    expect(hardwareOf(resolve({ ...performance, gpu_kind }))).toEqual({
      ...performance,
      volume_size_gb: 10,
      gpu_kind,
    });
  });

  it("rejects an offered GPU with shared cpus", () => {
    expect(issuesOf(resolve({ cpu_kind: "shared", gpu_kind: "a100" }))).toEqual([
      {
        field: "hardware.gpu_kind",
        message:
          'gpu_kind must be null unless cpu_kind is "performance" (got "a100"; cpu_kind is "shared")',
      },
    ]);
  });

  it("rejects a GPU that is not on offer", () => {
    expect(issuesOf(resolve({ ...performance, gpu_kind: "h100" }))).toEqual([
      {
        field: "hardware.gpu_kind",
        message: 'gpu_kind must be null or "a100" or "l40s" (got "h100")',
      },
    ]);
  });

  it("lists three or more offered GPUs as 'one of'", () => {
    const result = resolve({ ...performance, gpu_kind: "h100" }, {}, ["a100", "l40s", "l4"]);
    expect(issuesOf(result)[0]?.message).toBe(
      'gpu_kind must be null or one of "a100", "l40s", "l4" (got "h100")',
    );
  });

  it("rejects any GPU when none are on offer (empty gpuKinds)", () => {
    expect(issuesOf(resolve({ ...performance, gpu_kind: "a100" }, {}, []))).toEqual([
      {
        field: "hardware.gpu_kind",
        message: 'gpu_kind must be null: no GPU kinds are on offer (got "a100")',
      },
    ]);
  });

  it("reports both rules when a GPU is not on offer and the cpus are shared", () => {
    expect(issuesOf(resolve({ gpu_kind: "h100" })).map((i) => i.message)).toEqual([
      'gpu_kind must be null or "a100" or "l40s" (got "h100")',
      'gpu_kind must be null unless cpu_kind is "performance" (got "h100"; cpu_kind is "shared", from the system default)',
    ]);
  });

  it("names the default as the source of cpu_kind in the GPU rule", () => {
    const issues = issuesOf(resolve({ gpu_kind: "a100" }, { cpu_kind: "shared" }));
    expect(issues).toEqual([
      {
        field: "hardware.gpu_kind",
        message:
          'gpu_kind must be null unless cpu_kind is "performance" (got "a100"; cpu_kind is "shared", from your default_hardware)',
      },
    ]);
  });
});

describe("hardwareRequestSchema + issuesFromZodError: wire types", () => {
  it("accepts an empty object, a full object and an explicit null gpu_kind", () => {
    expect(hardwareRequestSchema.parse({})).toEqual({});
    const full = {
      cpu_kind: "performance",
      cpus: 2,
      memory_mb: 8192,
      volume_size_gb: 20,
      gpu_kind: "a100",
    };
    expect(hardwareRequestSchema.parse(full)).toEqual(full);
    expect(hardwareRequestSchema.parse({ gpu_kind: null })).toEqual({ gpu_kind: null });
  });

  it("checks types only: out-of-range integers are left to resolveHardware", () => {
    const parsed = hardwareRequestSchema.parse({ cpus: 3, memory_mb: 1, volume_size_gb: 0 });
    expect(parsed).toEqual({ cpus: 3, memory_mb: 1, volume_size_gb: 0 });
    expect(issuesOf(resolve(parsed)).map((i) => i.field)).toEqual([
      "hardware.cpus",
      "hardware.memory_mb",
      "hardware.volume_size_gb",
    ]);
  });

  const wrongTypes: { field: string; value: unknown; got: string }[] = [
    { field: "cpus", value: "2", got: 'the string "2"' },
    { field: "cpus", value: 2.5, got: "2.5" },
    { field: "cpus", value: true, got: "true" },
    { field: "cpus", value: null, got: "null" },
    { field: "cpus", value: [2], got: "an array" },
    { field: "cpus", value: { n: 2 }, got: "an object" },
    { field: "memory_mb", value: "2048", got: 'the string "2048"' },
    { field: "memory_mb", value: 2048.5, got: "2048.5" },
    { field: "memory_mb", value: false, got: "false" },
    { field: "memory_mb", value: null, got: "null" },
    { field: "memory_mb", value: [2048], got: "an array" },
    { field: "volume_size_gb", value: "10", got: 'the string "10"' },
    { field: "volume_size_gb", value: 10.1, got: "10.1" },
    { field: "volume_size_gb", value: true, got: "true" },
    { field: "volume_size_gb", value: null, got: "null" },
    { field: "volume_size_gb", value: [], got: "an array" },
    { field: "cpu_kind", value: 1, got: "1" },
    { field: "cpu_kind", value: null, got: "null" },
    { field: "cpu_kind", value: "SHARED", got: '"SHARED"' },
    { field: "cpu_kind", value: ["shared"], got: "an array" },
    { field: "gpu_kind", value: 5, got: "5" },
    { field: "gpu_kind", value: true, got: "true" },
    { field: "gpu_kind", value: ["a100"], got: "an array" },
  ];
  const expectedMessages: Record<string, (got: string) => string> = {
    cpus: (got) => `cpus must be one of 1, 2, 4, 6, 8 (got ${got})`,
    memory_mb: (got) => `memory_mb must be a whole number of MB (got ${got})`,
    volume_size_gb: (got) => `volume_size_gb must be a whole number between 1 and 500 (got ${got})`,
    cpu_kind: (got) => `cpu_kind must be "shared" or "performance" (got ${got})`,
    gpu_kind: (got) => `gpu_kind must be a string or null (got ${got})`,
  };

  it.each(wrongTypes)("rejects $field = $value", ({ field, value, got }) => {
    expect(wireIssues({ [field]: value })).toEqual([
      { field: `hardware.${field}`, message: expectedMessages[field]?.(got) },
    ]);
  });

  it("rejects integers outside the safe range", () => {
    expect(wireIssues({ memory_mb: 2 ** 60 })).toEqual([
      {
        field: "hardware.memory_mb",
        message: `memory_mb must be a whole number of MB (got ${2 ** 60})`,
      },
    ]);
  });

  it("reports each unknown key as its own field", () => {
    expect(wireIssues({ cpus: 2, foo: 1, memoryMb: 2048 })).toEqual([
      { field: "hardware.foo", message: 'unknown field "foo"' },
      { field: "hardware.memoryMb", message: 'unknown field "memoryMb"' },
    ]);
  });

  it("reports unknown keys and wrong types together", () => {
    const fields = wireIssues({ cpus: "4", memory_mb: 1.5, extra: true }).map((i) => i.field);
    expect(fields.sort()).toEqual(["hardware.cpus", "hardware.extra", "hardware.memory_mb"]);
  });

  it.each([
    { value: 5, got: "5" },
    { value: "shared", got: '"shared"' },
    { value: [], got: "an array" },
    { value: null, got: "null" },
    { value: true, got: "true" },
  ])("rejects a non-object hardware $value at the prefix itself", ({ value, got }) => {
    expect(wireIssues(value)).toEqual([
      {
        field: "hardware",
        message: `hardware must be an object with any of the fields cpu_kind, cpus, memory_mb, volume_size_gb, gpu_kind (got ${got})`,
      },
    ]);
  });

  it("names fields from the schema's root", () => {
    const error = hardwareRequestSchema.safeParse({ cpus: "2" }).error;
    expect(error).toBeDefined();
    expect(error && issuesFromZodError(error)[0]?.field).toBe("cpus");
    const unknown = hardwareRequestSchema.safeParse({ foo: 1 }).error;
    expect(unknown && issuesFromZodError(unknown)[0]?.field).toBe("foo");
  });

  it("works on any zod schema: nested paths, array indices, zod's own messages", () => {
    const body = z.strictObject({
      hardware: hardwareRequestSchema.nullable().optional(),
      tags: z.array(z.string()),
    });
    const parsed = body.safeParse({ hardware: { cpus: "2" }, tags: ["a", 1], nope: 0 });
    expect(parsed.success).toBe(false);
    const issues = parsed.success ? [] : issuesFromZodError(parsed.error);
    expect(issues.map((i) => i.field).sort()).toEqual(["hardware.cpus", "nope", "tags[1]"]);
    expect(issues.find((i) => i.field === "tags[1]")?.message).toMatch(/expected string/);
  });

  it("is a plain zod schema that converts to JSON Schema with descriptions (for OpenAPI)", () => {
    const json = z.toJSONSchema(hardwareRequestSchema) as {
      additionalProperties?: unknown;
      description?: string;
      properties: Record<string, { type?: unknown; description?: string; enum?: unknown }>;
    };
    expect(json.additionalProperties).toBe(false);
    expect(json.description).toMatch(/system default/);
    expect(Object.keys(json.properties)).toEqual([
      "cpu_kind",
      "cpus",
      "memory_mb",
      "volume_size_gb",
      "gpu_kind",
    ]);
    expect(json.properties.cpus?.type).toBe("integer");
    expect(json.properties.cpu_kind?.enum).toEqual(["shared", "performance"]);
    expect(json.properties.gpu_kind?.type).toEqual(["string", "null"]);
    for (const property of Object.values(json.properties))
      expect(property.description).toBeTruthy();
  });
});

describe("several issues at once", () => {
  it("reports every failed rule, in field order", () => {
    const request = untyped({
      cpu_kind: "tiny",
      cpus: 3,
      memory_mb: 100,
      volume_size_gb: 501,
      gpu_kind: "h100",
    });
    expect(issuesOf(resolve(request))).toEqual([
      {
        field: "hardware.cpu_kind",
        message: 'cpu_kind must be "shared" or "performance" (got "tiny")',
      },
      { field: "hardware.cpus", message: "cpus must be one of 1, 2, 4, 6, 8 (got 3)" },
      {
        field: "hardware.memory_mb",
        message: "memory_mb must be a multiple of 256 between 256 and 16384 (got 100)",
      },
      {
        field: "hardware.volume_size_gb",
        message: "volume_size_gb must be a whole number between 1 and 500 (got 501)",
      },
      {
        field: "hardware.gpu_kind",
        message: 'gpu_kind must be null or "a100" or "l40s" (got "h100")',
      },
    ]);
  });

  it("reports memory, volume and GPU together for valid kind and cpus", () => {
    const fields = issuesOf(
      resolve({
        cpu_kind: "shared",
        cpus: 2,
        memory_mb: 8192,
        volume_size_gb: 0,
        gpu_kind: "a100",
      }),
    ).map((i) => i.field);
    expect(fields).toEqual(["hardware.memory_mb", "hardware.volume_size_gb", "hardware.gpu_kind"]);
  });
});

describe("merge order: request over user default over system default", () => {
  const gpuDefaults: HardwareRequest = {
    cpu_kind: "performance",
    cpus: 2,
    memory_mb: 8192,
    gpu_kind: "a100",
  };

  it.each<{
    name: string;
    request: HardwareRequest | null | undefined;
    defaults: HardwareRequest | null;
    expected: Hardware;
  }>([
    {
      name: "partial user default fills in, system default for the rest",
      request: {},
      defaults: { cpus: 4, memory_mb: 4096 },
      expected: {
        cpu_kind: "shared",
        cpus: 4,
        memory_mb: 4096,
        volume_size_gb: 10,
        gpu_kind: null,
      },
    },
    {
      name: "request field beats user default, other fields still from defaults",
      request: { cpus: 8 },
      defaults: { cpus: 4, memory_mb: 4096, volume_size_gb: 50 },
      expected: {
        cpu_kind: "shared",
        cpus: 8,
        memory_mb: 4096,
        volume_size_gb: 50,
        gpu_kind: null,
      },
    },
    {
      name: "full request ignores every default",
      request: { cpu_kind: "shared", cpus: 1, memory_mb: 1024, volume_size_gb: 1, gpu_kind: null },
      defaults: gpuDefaults,
      expected: { cpu_kind: "shared", cpus: 1, memory_mb: 1024, volume_size_gb: 1, gpu_kind: null },
    },
    {
      name: "absent gpu_kind takes the user's default GPU",
      request: {},
      defaults: gpuDefaults,
      expected: {
        cpu_kind: "performance",
        cpus: 2,
        memory_mb: 8192,
        volume_size_gb: 10,
        gpu_kind: "a100",
      },
    },
    {
      name: "gpu_kind: undefined counts as absent",
      request: { gpu_kind: undefined },
      defaults: gpuDefaults,
      expected: {
        cpu_kind: "performance",
        cpus: 2,
        memory_mb: 8192,
        volume_size_gb: 10,
        gpu_kind: "a100",
      },
    },
    {
      name: "explicit gpu_kind: null overrides the user's default GPU",
      request: { gpu_kind: null },
      defaults: gpuDefaults,
      expected: {
        cpu_kind: "performance",
        cpus: 2,
        memory_mb: 8192,
        volume_size_gb: 10,
        gpu_kind: null,
      },
    },
    {
      name: "a request GPU overrides a default null",
      request: { cpu_kind: "performance", memory_mb: 4096, gpu_kind: "l40s" },
      defaults: { gpu_kind: null },
      expected: {
        cpu_kind: "performance",
        cpus: 2,
        memory_mb: 4096,
        volume_size_gb: 10,
        gpu_kind: "l40s",
      },
    },
    {
      name: "null request means all defaults",
      request: null,
      defaults: { volume_size_gb: 100 },
      expected: { ...SYSTEM_DEFAULT_HARDWARE, volume_size_gb: 100 },
    },
    {
      name: "null user defaults means the system default",
      request: { volume_size_gb: 7 },
      defaults: null,
      expected: { ...SYSTEM_DEFAULT_HARDWARE, volume_size_gb: 7 },
    },
  ])("$name", ({ request, defaults, expected }) => {
    expect(hardwareOf(resolve(request, defaults))).toEqual(expected);
  });

  it("returns exactly the five fields and leaves its inputs untouched", () => {
    const request = untyped({ cpus: 4, note: "ignored" });
    const defaults: HardwareRequest = { memory_mb: 4096 };
    const hardware = hardwareOf(resolve(request, defaults));
    expect(Object.keys(hardware).sort()).toEqual([
      "cpu_kind",
      "cpus",
      "gpu_kind",
      "memory_mb",
      "volume_size_gb",
    ]);
    expect(request).toEqual({ cpus: 4, note: "ignored" });
    expect(defaults).toEqual({ memory_mb: 4096 });
    expect(SYSTEM_DEFAULT_HARDWARE.cpus).toBe(2);
  });
});

describe("messages say where a value came from", () => {
  it("names the system default", () => {
    // performance with 2 cpus (system default) needs ≥ 4096, but memory falls back to 2048
    expect(issuesOf(resolve({ cpu_kind: "performance" }))).toEqual([
      {
        field: "hardware.memory_mb",
        message:
          "memory_mb must be a multiple of 1024 between 4096 and 16384 for 2 performance cpus (got 2048, from the system default)",
      },
    ]);
  });

  it("names the user's default_hardware", () => {
    expect(issuesOf(resolve({ cpu_kind: "performance", cpus: 2 }, { memory_mb: 1024 }))).toEqual([
      {
        field: "hardware.memory_mb",
        message:
          "memory_mb must be a multiple of 1024 between 4096 and 16384 for 2 performance cpus (got 1024, from your default_hardware)",
      },
    ]);
  });

  it("says nothing about the source when the value came from the request", () => {
    const [issue] = issuesOf(resolve({ cpus: 2, memory_mb: 5000 }, { memory_mb: 1024 }));
    expect(issue?.message).toBe(
      "memory_mb must be a multiple of 256 between 512 and 4096 for 2 shared cpus (got 5000)",
    );
    expect(issue?.message).not.toMatch(/default/);
  });

  it.each<{
    name: string;
    defaults: HardwareRequest;
    gpuKinds: readonly string[];
    issue: FieldIssue;
  }>([
    {
      name: "a stored cpus that is no longer valid",
      defaults: { cpus: 3 },
      gpuKinds: GPU_KINDS,
      issue: {
        field: "hardware.cpus",
        message: "cpus must be one of 1, 2, 4, 6, 8 (got 3, from your default_hardware)",
      },
    },
    {
      name: "a stored GPU that is no longer on offer",
      defaults: { cpu_kind: "performance", cpus: 2, memory_mb: 8192, gpu_kind: "v100" },
      gpuKinds: GPU_KINDS,
      issue: {
        field: "hardware.gpu_kind",
        message:
          'gpu_kind must be null or "a100" or "l40s" (got "v100", from your default_hardware)',
      },
    },
    {
      name: "a stored volume out of range",
      defaults: { volume_size_gb: 1000 },
      gpuKinds: [],
      issue: {
        field: "hardware.volume_size_gb",
        message:
          "volume_size_gb must be a whole number between 1 and 500 (got 1000, from your default_hardware)",
      },
    },
  ])("names the user's default_hardware for $name", ({ defaults, gpuKinds, issue }) => {
    expect(issuesOf(resolve({}, defaults, gpuKinds))).toEqual([issue]);
  });
});

describe("each door names the fields its own way", () => {
  const problems = () => {
    const result = resolveRules({ memoryMb: 100, cpuKind: "performance" }, {}, []);
    if (result.ok) throw new Error("expected problems");
    return result.problems;
  };

  it.each([
    { target: "hardware", dialect: REST_DIALECT, field: "hardware.memory_mb" },
    { target: "defaultHardware", dialect: REST_DIALECT, field: "default_hardware.memory_mb" },
    { target: "hardware", dialect: GRAPHQL_DIALECT, field: "hardware.memoryMb" },
    { target: "defaultHardware", dialect: GRAPHQL_DIALECT, field: "defaultHardware.memoryMb" },
  ] as const)("$target in $field", ({ target, dialect, field }) => {
    expect(hardwareIssues(problems(), target, dialect).map((i) => i.field)).toEqual([field]);
  });

  it('says memory_mb and "performance" to REST, memoryMb and PERFORMANCE to GraphQL', () => {
    const [rest] = hardwareIssues(problems(), "hardware", REST_DIALECT);
    const [graphql] = hardwareIssues(problems(), "hardware", GRAPHQL_DIALECT);
    expect(rest?.message).toBe(
      "memory_mb must be a multiple of 1024 between 4096 and 16384 for 2 performance cpus (got 100)",
    );
    expect(graphql?.message).toBe(
      "memoryMb must be a multiple of 1024 between 4096 and 16384 for 2 PERFORMANCE cpus (got 100)",
    );
  });

  it("names a value from the defaults as the door calls them", () => {
    const result = resolveRules({ gpuKind: "a100" }, { cpuKind: "shared" }, ["a100"]);
    if (result.ok) throw new Error("expected problems");
    expect(hardwareIssues(result.problems, "hardware", GRAPHQL_DIALECT)[0]?.message).toBe(
      'gpuKind must be "" unless cpuKind is PERFORMANCE (got "a100"; cpuKind is SHARED, from your defaultHardware)',
    );
  });
});

describe("typed requests that bypassed the wire schema (GraphQL, stored JSON)", () => {
  it.each([
    { field: "cpus", value: null, message: "cpus must be one of 1, 2, 4, 6, 8 (got null)" },
    {
      field: "cpus",
      value: "2",
      message: 'cpus must be one of 1, 2, 4, 6, 8 (got the string "2")',
    },
    {
      field: "memory_mb",
      value: "2048",
      message: 'memory_mb must be a whole number of MB (got the string "2048")',
    },
    {
      field: "memory_mb",
      value: 1024.5,
      message: "memory_mb must be a whole number of MB (got 1024.5)",
    },
    {
      field: "volume_size_gb",
      value: null,
      message: "volume_size_gb must be a whole number between 1 and 500 (got null)",
    },
    {
      field: "cpu_kind",
      value: "SHARED",
      message: 'cpu_kind must be "shared" or "performance" (got "SHARED")',
    },
    { field: "gpu_kind", value: 5, message: "gpu_kind must be a string or null (got 5)" },
  ])(
    "reports $field = $value as the wire schema would, instead of storing it",
    ({ field, value, message }) => {
      expect(issuesOf(resolve(untyped({ [field]: value })))).toEqual([
        { field: `hardware.${field}`, message },
      ]);
    },
  );
});
