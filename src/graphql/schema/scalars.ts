import { GraphQLError, Kind } from "graphql";
import { builder } from "../builder.js";

function parseDateTime(value: unknown): Date {
  const date = typeof value === "string" ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new GraphQLError("DateTime must be an ISO 8601 string, e.g. 2024-01-31T12:00:00.000Z");
  }
  return date;
}

export const DateTime = builder.scalarType("DateTime", {
  description: "An instant in ISO 8601, UTC, with milliseconds: 2024-01-31T12:00:00.000Z",
  serialize: (value) => (value instanceof Date ? value : new Date(String(value))).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});
