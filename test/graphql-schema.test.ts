import { readFileSync } from "node:fs";
import { printSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../src/graphql/schema/index.js";

describe("schema.graphql", () => {
  it("is the printed schema as built (run `npm run codegen` after changing src/graphql)", () => {
    const committed = readFileSync(new URL("../schema.graphql", import.meta.url), "utf8");
    expect(committed.trim()).toBe(printSchema(schema).trim());
  });
});
