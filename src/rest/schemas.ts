/**
 * The REST wire format, once: the routes validate requests with these schemas, the serializer is
 * typed by them, and /openapi.json is generated from them.
 */
import { z } from "zod";
import { WorkspaceStatus } from "../generated/prisma/enums.js";
import { IDEMPOTENCY_KEY_RULE, isValidIdempotencyKey } from "../services/idempotency.js";
import { PROJECT_NAME_MAX } from "../services/projects.js";
import {
  POLICY_RULES,
  type PolicyField,
  parseLabelSelector,
} from "../services/workspace-policy.js";
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

/** A number (bounds are the service's rule, so both doors refuse alike); null: the default. */
const minutesField = (field: string, rest: PolicyField) =>
  z
    .number({ error: (issue) => `${field} must be a number (got ${kindOf(issue.input)})` })
    .nullable()
    .optional()
    .describe(`${POLICY_RULES[rest]}.`);

const labelsField = z
  .record(
    z.string(),
    z.string({ error: (issue) => `a label value must be a string (got ${kindOf(issue.input)})` }),
    { error: (issue) => `labels must be an object of strings (got ${kindOf(issue.input)})` },
  )
  .describe(`Labels, key → value: ${POLICY_RULES.labels}.`);

/** The policy keys of a create. */
const policyKeys = {
  auto_stop_minutes: minutesField("auto_stop_minutes", "autoStopMinutes").describe(
    `Idle minutes before an automatic stop: ${POLICY_RULES.autoStopMinutes}. Omitted or null: your default_auto_stop_minutes, else the server's IDLE_TIMEOUT_MINUTES; keep_active true means 0.`,
  ),
  max_run_minutes: minutesField("max_run_minutes", "maxRunMinutes").describe(
    `Minutes running before an automatic stop however busy: ${POLICY_RULES.maxRunMinutes}. Omitted or null: 0.`,
  ),
  auto_delete_minutes: minutesField("auto_delete_minutes", "autoDeleteMinutes").describe(
    `Minutes stopped before an automatic delete: ${POLICY_RULES.autoDeleteMinutes}. Omitted or null: never.`,
  ),
  labels: labelsField.nullable().optional(),
};

export const createWorkspaceRequestSchema = bodyObject({
  hardware: hardwareRequestSchema
    .nullable()
    .optional()
    .describe("Hardware configuration; omitted or null: your default_hardware."),
  keep_active: booleanField("keep_active")
    .optional()
    .describe(
      "Whether the workspace stays running when idle (the legacy spelling of auto_stop_minutes 0; giving both when they disagree is a 400). Default: false.",
    ),
  ...policyKeys,
}).describe("An empty body means {}: default hardware, keep_active false.");

/** PATCH /workspaces/:id: a JSON Merge Patch (RFC 7396) of the workspace's settable keys. */
export const updateWorkspaceRequestSchema = bodyObject({
  labels: z
    .record(
      z.string(),
      z
        .string({
          error: (issue) => `a label value must be a string or null (got ${kindOf(issue.input)})`,
        })
        .nullable(),
      { error: (issue) => `labels must be an object (got ${kindOf(issue.input)})` },
    )
    .nullable()
    .optional()
    .describe(
      `Merged into the labels: a key with a string sets it, with null removes it; labels: null removes them all. ${POLICY_RULES.labels}.`,
    ),
  auto_stop_minutes: policyKeys.auto_stop_minutes.describe(
    `${POLICY_RULES.autoStopMinutes}; null: back to your default_auto_stop_minutes, else IDLE_TIMEOUT_MINUTES.`,
  ),
  max_run_minutes: policyKeys.max_run_minutes.describe(`${POLICY_RULES.maxRunMinutes}; null: 0.`),
  auto_delete_minutes: policyKeys.auto_delete_minutes.describe(
    `${POLICY_RULES.autoDeleteMinutes}; null: never.`,
  ),
  keep_active: booleanField("keep_active")
    .nullable()
    .optional()
    .describe(
      "true: auto_stop_minutes 0; false: your default; disagreeing with auto_stop_minutes is a 400.",
    ),
  hardware: hardwareRequestSchema
    .nullable()
    .optional()
    .describe(
      "A resize, only while the workspace is stopped (else 400): merged over its current hardware and checked like a create's; volume_size_gb may only grow. Applied at the next start. null: no change.",
    ),
}).describe(
  "application/merge-patch+json or application/json. Keys left out stay as they are; null resets a key to its default.",
);

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
  default_auto_stop_minutes: minutesField("default_auto_stop_minutes", "autoStopMinutes").describe(
    `The auto_stop_minutes of workspaces created without one: ${POLICY_RULES.autoStopMinutes}. Omitted or null: the server's IDLE_TIMEOUT_MINUTES.`,
  ),
}).describe(
  "Replaces your settings: default_hardware fields left out fall back to the system default ({} resets); default_auto_stop_minutes left out falls back to IDLE_TIMEOUT_MINUTES.",
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
  auto_stop_minutes: z
    .number()
    .describe("Idle minutes before an automatic stop; 0: never (keep_active is true then)"),
  max_run_minutes: z
    .number()
    .int()
    .describe("Minutes running before an automatic stop; 0: no limit"),
  auto_delete_minutes: z
    .number()
    .int()
    .nullable()
    .describe("Minutes stopped before an automatic delete; 0: at once; null: never"),
  labels: z.record(z.string(), z.string()).describe("key → value"),
  last_activity_at: z.iso
    .datetime()
    .describe("The last API call on it, keep-alive or activity the provider saw"),
  auto_stop_at: z.iso
    .datetime()
    .nullable()
    .describe(
      "When the next automatic stop is due (idle or max run time, the earlier); null: none",
    ),
  auto_delete_at: z.iso
    .datetime()
    .nullable()
    .describe("When the automatic delete is due; null: none"),
  stop_reason: z
    .enum(["user", "idle", "max_run"])
    .nullable()
    .describe("Why it is stopping or stopped; null otherwise"),
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

const STATUS_RULE = `status must be one of ${Object.values(WorkspaceStatus).join(", ")}`;

/** A repeatable query parameter: one value or several. */
const repeated = (check: (value: string) => string | undefined) =>
  z.union([z.string(), z.array(z.string())]).check((context) => {
    const values = Array.isArray(context.value) ? context.value : [context.value];
    for (const value of values) {
      const problem = check(value);
      if (problem) context.issues.push({ code: "custom", input: context.value, message: problem });
    }
  });

/** A workspace list: paging, then ?status= (any of) and ?label=k=v (all of), each repeatable. */
export const workspaceListQuerySchema = listQuerySchema.extend({
  status: repeated((value) =>
    (Object.values(WorkspaceStatus) as string[]).includes(value)
      ? undefined
      : `${STATUS_RULE} (got ${JSON.stringify(value)})`,
  )
    .optional()
    .describe("Only workspaces in this status; repeat for any of several"),
  label: repeated((value) => {
    const parsed = parseLabelSelector(value);
    return typeof parsed === "string" ? parsed : undefined;
  })
    .optional()
    .describe("key=value: only workspaces with this label; repeat for all of several"),
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
  default_auto_stop_minutes: z
    .number()
    .describe(
      "auto_stop_minutes of workspaces created without one (yours, else IDLE_TIMEOUT_MINUTES)",
    ),
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
export type WorkspaceListQuery = z.output<typeof workspaceListQuerySchema>;
export type ErrorJson = z.output<typeof errorSchema>;

/** Named schemas of the OpenAPI document (components/schemas). */
export const components = {
  CreateWorkspaceRequest: createWorkspaceRequestSchema,
  UpdateWorkspaceRequest: updateWorkspaceRequestSchema,
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
