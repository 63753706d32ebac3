/**
 * The REST wire format, once: the routes validate requests with these schemas, the serializer is
 * typed by them, and /openapi.json is generated from them.
 */
import { z } from "zod";
import { WorkspaceStatus } from "../generated/prisma/enums.js";
import { IDEMPOTENCY_KEY_RULE, isValidIdempotencyKey } from "../services/idempotency.js";
import { PROJECT_NAME_MAX } from "../services/projects.js";
import { LIST_LIMIT_MAX } from "../services/workspaces.js";
import { hardwareRequestSchema, hardwareSchema } from "./hardware-wire.js";

/** How a JSON value reads in a message: "an array", "null", "a string". */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

const bodyObject = <Shape extends z.core.$ZodLooseShape>(shape: Shape) =>
  z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? undefined
        : `the request body must be a JSON object (got ${kindOf(issue.input)})`,
  });

const booleanField = (field: string) =>
  z.boolean({ error: (issue) => `${field} must be true or false (got ${kindOf(issue.input)})` });

export const createWorkspaceRequestSchema = bodyObject({
  hardware: hardwareRequestSchema
    .nullable()
    .optional()
    .describe("Hardware configuration; omitted or null: your default_hardware."),
  keep_active: booleanField("keep_active")
    .optional()
    .describe("Whether the workspace stays running when idle. Default: false."),
}).describe("An empty body means {}: default hardware, keep_active false.");

const stringField = (field: string) =>
  z.string({ error: (issue) => `${field} must be a string (got ${kindOf(issue.input)})` });

export const createProjectRequestSchema = bodyObject({
  name: stringField("name").describe(
    `1 to ${PROJECT_NAME_MAX} characters (surrounding spaces are trimmed).`,
  ),
  default_branch: stringField("default_branch")
    .nullable()
    .optional()
    .describe('The git branch workspaces check out, without spaces; omitted or null: "main".'),
});

export const updateSettingsRequestSchema = bodyObject({
  default_hardware: hardwareRequestSchema,
}).describe(
  "default_hardware replaces your defaults: fields left out fall back to the system default ({} resets).",
);

export const workspaceSchema = z.strictObject({
  id: z.uuid(),
  project_id: z.uuid(),
  status: z.enum(WorkspaceStatus),
  hardware: hardwareSchema,
  keep_active: z.boolean(),
  machine_id: z.string().nullable().describe("null until provisioned"),
  private_ip: z.string().nullable().describe("null until provisioned"),
  git_ref: z.string().nullable(),
  preview_token: z.string().describe("ptk_ followed by at least 128 random bits"),
  error_message: z.string().nullable(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});

export const workspaceListSchema = z.strictObject({
  workspaces: z.array(workspaceSchema),
  next: z
    .string()
    .nullable()
    .optional()
    .describe("Present when `limit` or `after` was given: the cursor of the next page, or null"),
});

export const projectSchema = z.strictObject({
  id: z.uuid(),
  name: z.string(),
  default_branch: z.string(),
  created_at: z.iso.datetime(),
});

export const projectListSchema = z.strictObject({
  projects: z.array(projectSchema),
  next: z
    .string()
    .nullable()
    .optional()
    .describe("Present when `limit` or `after` was given: the cursor of the next page, or null"),
});

/** ?limit=&after= on a list; both optional (legacy clients send neither). */
export const listQuerySchema = z.object({
  limit: z.coerce
    .number({ error: `limit must be a whole number from 1 to ${LIST_LIMIT_MAX}` })
    .int({ error: `limit must be a whole number from 1 to ${LIST_LIMIT_MAX}` })
    .min(1, { error: `limit must be a whole number from 1 to ${LIST_LIMIT_MAX}` })
    .max(LIST_LIMIT_MAX, { error: `limit must be a whole number from 1 to ${LIST_LIMIT_MAX}` })
    .optional()
    .describe(`Page size, 1 to ${LIST_LIMIT_MAX}; default ${LIST_LIMIT_MAX}`),
  after: z.string().optional().describe("The `next` cursor of the previous page"),
});

/** The longest a `GET /workspaces/:id/wait` may block, in seconds (also its default). */
export const WAIT_TIMEOUT_MAX_SECONDS = 60;

const WAIT_TIMEOUT_RULE = `timeout must be a number of seconds greater than 0 and at most ${WAIT_TIMEOUT_MAX_SECONDS}`;

/** ?status=&timeout= on a wait. */
export const waitQuerySchema = z.object({
  status: z
    .enum(WorkspaceStatus, {
      error: `status must be one of ${Object.values(WorkspaceStatus).join(", ")}`,
    })
    .optional()
    .describe(
      "The status to wait for; the wait also ends at any settled status (one no step is under way in). Omitted: any settled status",
    ),
  timeout: z.coerce
    .number({ error: WAIT_TIMEOUT_RULE })
    .gt(0, { error: WAIT_TIMEOUT_RULE })
    .max(WAIT_TIMEOUT_MAX_SECONDS, { error: WAIT_TIMEOUT_RULE })
    .default(WAIT_TIMEOUT_MAX_SECONDS)
    .describe(
      `Seconds to wait (fractions allowed), more than 0 and at most ${WAIT_TIMEOUT_MAX_SECONDS}; default ${WAIT_TIMEOUT_MAX_SECONDS}`,
    ),
});

export const settingsSchema = z.strictObject({
  default_hardware: hardwareSchema.describe("Your settings over the system default."),
});

export const errorSchema = z.strictObject({
  error: z.string(),
  details: z
    .array(z.strictObject({ field: z.string(), message: z.string() }))
    .optional()
    .describe("400 only: one entry per problem, with the field it is about."),
});

export const idempotencyKeySchema = z.string().check((context) => {
  if (isValidIdempotencyKey(context.value)) return;
  context.issues.push({
    code: "custom",
    input: context.value,
    message: `Idempotency-Key ${IDEMPOTENCY_KEY_RULE} (got ${context.value.length})`,
  });
});

export type WorkspaceJson = z.output<typeof workspaceSchema>;
export type ProjectJson = z.output<typeof projectSchema>;
export type SettingsJson = z.output<typeof settingsSchema>;
export type WaitQuery = z.output<typeof waitQuerySchema>;
export type ListQuery = z.output<typeof listQuerySchema>;
export type ErrorJson = z.output<typeof errorSchema>;

/** Named schemas of the OpenAPI document (components/schemas). */
export const components = {
  CreateWorkspaceRequest: createWorkspaceRequestSchema,
  CreateProjectRequest: createProjectRequestSchema,
  UpdateSettingsRequest: updateSettingsRequestSchema,
  HardwareRequest: hardwareRequestSchema,
  Hardware: hardwareSchema,
  Workspace: workspaceSchema,
  WorkspaceList: workspaceListSchema,
  Project: projectSchema,
  ProjectList: projectListSchema,
  Settings: settingsSchema,
  Error: errorSchema,
} as const;
