/**
 * The hardware rules worded for a person (PERSON_DIALECT, GraphQL's `displayMessage`, what the
 * console shows): field labels, units and kinds in words, never an API name or value.
 */
import { describe, expect, it } from "vitest";
import {
  GRAPHQL_DIALECT,
  PERSON_DIALECT,
  problemMessage,
  REST_DIALECT,
} from "../src/services/hardware-messages.js";
import { type HardwareRequest, resolveHardware } from "../src/services/hardware-rules.js";

function messages(
  request: Record<string, unknown>,
  gpuKinds: readonly string[] = [],
  defaults: HardwareRequest = {},
): string[] {
  const result = resolveHardware(request as HardwareRequest, defaults, gpuKinds);
  if (result.ok) throw new Error(`accepted: ${JSON.stringify(request)}`);
  return result.problems.map((problem) => problemMessage(problem, PERSON_DIALECT));
}

/** One request per rule (and per branch of the memory rule's wording). */
const BROKEN: [string, Record<string, unknown>, readonly string[]][] = [
  ["cpu kind", { cpuKind: "turbo" }, []],
  ["cpus", { cpus: 3 }, []],
  ["memory for a known kind and count", { memoryMb: 300 }, []],
  ["memory for a known kind, unknown count", { cpus: 3, memoryMb: 100 }, []],
  ["memory with no kind", { cpuKind: "turbo", memoryMb: 100 }, []],
  ["memory not a number", { memoryMb: "2048" }, []],
  ["volume", { volumeSizeGb: 501 }, []],
  ["gpu none on offer", { cpuKind: "performance", cpus: 1, memoryMb: 2048, gpuKind: "a100" }, []],
  [
    "gpu not on offer",
    { cpuKind: "performance", cpus: 1, memoryMb: 2048, gpuKind: "h1" },
    ["a100"],
  ],
  ["gpu not a string", { gpuKind: 7 }, ["a100"]],
  ["gpu on shared cpus", { gpuKind: "a100" }, ["a100"]],
];

describe("hardware messages for a person", () => {
  it("words the memory rule with units, the kind in words and CPUs", () => {
    expect(messages({ memoryMb: 300 })).toEqual([
      "Memory must be a multiple of 256 MB between 512 and 4096 MB for 2 shared CPUs (got 300)",
    ]);
    expect(messages({ cpuKind: "performance", cpus: 1, memoryMb: 1024 })).toEqual([
      "Memory must be a multiple of 1024 MB between 2048 and 8192 MB for 1 performance CPU (got 1024)",
    ]);
  });

  it("says none for no GPU and names the kinds in words", () => {
    expect(messages({ gpuKind: "a100" }, ["a100"])).toEqual([
      'GPU kind must be none unless CPU kind is performance (got "a100"; CPU kind is shared, from the system default)',
    ]);
  });

  it("says where a value came from in a person's words", () => {
    expect(messages({}, [], { volumeSizeGb: 900 })).toEqual([
      "Volume size must be a whole number between 1 and 500 GB (got 900, from your default hardware)",
    ]);
  });

  it.each(BROKEN)(
    "%s: starts with the field's label and names no API field or value",
    (_, request, gpuKinds) => {
      for (const message of messages(request, gpuKinds)) {
        expect(message).toMatch(/^(CPU kind|CPUs|Memory|Volume size|GPU kind) must be /);
        expect(message).not.toMatch(
          /cpuKind|memoryMb|memory_mb|volumeSizeGb|gpuKind|gpu_kind|cpu_kind|SHARED|PERFORMANCE|null|default_hardware|defaultHardware/,
        );
      }
    },
  );

  it.each(BROKEN)("%s: the API dialects keep their own names", (_, request, gpuKinds) => {
    const result = resolveHardware(request as HardwareRequest, {}, gpuKinds);
    if (result.ok) throw new Error("accepted");
    for (const problem of result.problems) {
      const person = problemMessage(problem, PERSON_DIALECT);
      expect(problemMessage(problem, GRAPHQL_DIALECT)).not.toBe(person);
      expect(problemMessage(problem, REST_DIALECT)).not.toBe(person);
    }
  });
});
