import { GraphQLError, Kind } from "graphql";
import { builder } from "../builder.js";

/** RFC 3339 date-time, as @specifiedBy promises (Date.parse alone takes far more). */
const RFC_3339 = /^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$/;

function parseDateTime(value: unknown): Date {
  const date =
    typeof value === "string" && RFC_3339.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new GraphQLError("DateTime must be an ISO 8601 string, e.g. 2024-01-31T12:00:00.000Z");
  }
  return date;
}

export const DateTime = builder.scalarType("DateTime", {
  description:
    "An instant as an RFC 3339 date-time string, answered in UTC with milliseconds: 2024-01-31T12:00:00.000Z. Inputs may carry an offset.",
  specifiedByURL: "https://scalars.graphql.org/andimarek/date-time",
  serialize: (value) => (value instanceof Date ? value : new Date(String(value))).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});
