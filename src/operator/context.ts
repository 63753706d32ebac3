/** What the operator's commands share: their context, their options and their one-line errors. */
import type { Database } from "../db/client.js";
import type { Services } from "../services/index.js";
import type { Result, ServiceError } from "../services/result.js";

/** A failure the operator caused: shown as one line, in the CLI's words. */
export class OperatorError extends Error {}

export type Options = Readonly<Record<string, unknown>>;

/** What a command runs against: the services, and the database for migrations and listings. */
export interface OperatorContext {
  services: Services;
  database: Database;
}

/** The CLI flag that sets a service field, for messages (`name` is `--name` or `--project-name`). */
type Flags = Readonly<Record<string, string>>;

/**
 * The value, or an OperatorError that speaks of options and the thing looked for rather than of
 * request bodies: `--email must be an email address`, `no user with id or email "x@y.z"`.
 */
export function unwrap<T>(result: Result<T>, flags: Flags = {}, ref = ""): T {
  if (result.ok) return result.value;
  throw new OperatorError(describe(result.error, flags, ref));
}

function describe(error: ServiceError, flags: Flags, ref: string): string {
  switch (error.code) {
    case "INVALID_INPUT":
      return error.issues
        .map((issue) => `${flags[issue.field] ?? `--${kebab(issue.field)}`} ${issue.message}`)
        .join("; ");
    case "USER_NOT_FOUND":
      return `no user with id or email ${JSON.stringify(ref)}`;
    case "TOKEN_NOT_FOUND":
      return `no token with that value, id or prefix (${JSON.stringify(ref)})`;
    case "PROJECT_NOT_FOUND":
      return `no project with id ${JSON.stringify(ref)}`;
    default:
      return error.message;
  }
}

const kebab = (field: string) => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export function optional(options: Options, name: string): string | undefined {
  const value = options[name];
  return typeof value === "string" ? value : undefined;
}

export function required(options: Options, name: string): string {
  const value = optional(options, name);
  if (value === undefined) throw new OperatorError(`--${kebab(name)} is required`);
  return value;
}
