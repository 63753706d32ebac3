/**
 * Webhooks over REST (issue 18): a project's endpoints, their delivery attempts and a manual
 * retry. Each route parses, calls services/webhooks.ts (the access policy decides there: admins
 * manage webhooks) and maps the result; the sending is lifecycle/webhook-worker.ts.
 */
import { z } from "zod";
import { LIST_LIMIT_MAX } from "../services/page.js";
import {
  type DeliveryAttempt,
  EVENT_TYPES,
  WEBHOOK_DESCRIPTION_MAX,
  WEBHOOK_URL_MAX,
  WEBHOOKS_PER_PROJECT,
  type Webhook,
} from "../services/webhooks.js";
import { serviceFailure } from "./errors.js";
import type { ResponseDoc, RestRoute } from "./routes.js";

// routes.ts spreads these into its table, so only types come from there (no import cycle).
const route = <Body, Query = unknown>(definition: RestRoute<Body, Query>): RestRoute =>
  definition as RestRoute;

const WIRE_TYPES = EVENT_TYPES.map((type) => `workspace.${type}` as const);
const eventTypeSchema = z.enum(WIRE_TYPES, {
  error: `event_types must hold only ${WIRE_TYPES.join(", ")}`,
});

const createRequestSchema = z.strictObject({
  url: z
    .string({ error: "url must be a string" })
    .describe(`http:// or https://, at most ${WEBHOOK_URL_MAX} characters`),
  event_types: z
    .array(eventTypeSchema, { error: "event_types must be an array" })
    .nullable()
    .optional()
    .describe("Only these types; omitted, null or empty: every type"),
  description: z
    .string({ error: "description must be a string" })
    .nullable()
    .optional()
    .describe(`At most ${WEBHOOK_DESCRIPTION_MAX} characters`),
});
type CreateRequest = z.output<typeof createRequestSchema>;

const webhookSchema = z.strictObject({
  id: z.uuid(),
  project_id: z.uuid(),
  url: z.string(),
  event_types: z.array(eventTypeSchema).describe("Empty: every type"),
  description: z.string().nullable(),
  created_at: z.iso.datetime(),
  failing_since: z.iso.datetime().nullable().describe("Start of the current run of failures"),
  disabled_at: z.iso.datetime().nullable().describe("Set: nothing is sent to it any more"),
  disabled_reason: z.string().nullable(),
});

const attemptSchema = z.strictObject({
  id: z.uuid(),
  delivery_id: z.uuid().describe("Retry with POST /webhooks/{id}/deliveries/{delivery_id}/retry"),
  event_id: z.string().describe("The event's id (its cursor in the project's log)"),
  at: z.iso.datetime(),
  status_code: z.number().int().nullable().describe("null: no answer (error says why)"),
  duration_ms: z.number().int(),
  error: z.string().nullable(),
  response_body: z.string().nullable().describe("At most the first 1 KiB of the answer"),
  next_retry_at: z.iso.datetime().nullable().describe("null: no more attempts are planned"),
});

const iso = (date: Date | null) => date?.toISOString() ?? null;

function serializeWebhook(webhook: Webhook) {
  return {
    id: webhook.id,
    project_id: webhook.projectId,
    url: webhook.url,
    event_types: webhook.eventTypes.map((type) => `workspace.${type}`),
    description: webhook.description,
    created_at: webhook.createdAt.toISOString(),
    failing_since: iso(webhook.failingSince),
    disabled_at: iso(webhook.disabledAt),
    disabled_reason: webhook.disabledReason,
  };
}

function serializeAttempt(attempt: DeliveryAttempt) {
  return {
    id: attempt.id,
    delivery_id: attempt.deliveryId,
    event_id: attempt.eventId,
    at: attempt.at.toISOString(),
    status_code: attempt.statusCode,
    duration_ms: attempt.durationMs,
    error: attempt.error,
    response_body: attempt.responseBody,
    next_retry_at: iso(attempt.nextRetryAt),
  };
}

const LIMIT_RULE = `limit must be a whole number from 1 to ${LIST_LIMIT_MAX}`;
const attemptQuerySchema = z.object({
  limit: z.coerce
    .number({ error: LIMIT_RULE })
    .int({ error: LIMIT_RULE })
    .min(1, { error: LIMIT_RULE })
    .max(LIST_LIMIT_MAX, { error: LIMIT_RULE })
    .optional()
    .describe(`Page size, 1 to ${LIST_LIMIT_MAX}; default ${LIST_LIMIT_MAX}`),
  after: z.string().optional().describe("The `next` cursor of the previous page"),
});
type AttemptQuery = z.output<typeof attemptQuerySchema>;

const projectNotFound: ResponseDoc = {
  description: "Not a UUID, no such project, or not a member: one identical body",
};
const webhookNotFound: ResponseDoc = {
  description: "Not a UUID, no such webhook, or not in a project of yours: one identical body",
};
const forbidden: ResponseDoc = { description: "A member below admin (or a token capped below)" };

export const webhookRoutes: readonly RestRoute[] = [
  route<CreateRequest>({
    method: "POST",
    url: "/projects/:id/webhooks",
    operationId: "createWebhook",
    summary: `Add a webhook endpoint (admin; at most ${WEBHOOKS_PER_PROJECT} per project). The answer carries its signing secret, shown this once`,
    body: createRequestSchema,
    responses: {
      201: {
        description: "Created: the endpoint and its secret (whsec_…)",
        schema: webhookSchema.extend({ secret: z.string() }),
      },
      400: { description: "A bad url, event type or description, or the project has the most" },
      403: forbidden,
      404: projectNotFound,
    },
    async handle({ services, principal, params, body }) {
      const result = await services.webhooks.create(principal, params.id ?? "", {
        url: body.url,
        eventTypes: body.event_types?.map((type) => type.replace(/^workspace\./, "") as never),
        description: body.description,
      });
      if (!result.ok) return serviceFailure(result.error);
      return {
        status: 201,
        body: { ...serializeWebhook(result.value.webhook), secret: result.value.secret },
      };
    },
  }),
  route({
    method: "GET",
    url: "/projects/:id/webhooks",
    operationId: "listWebhooks",
    summary: "The project's webhook endpoints, oldest first (admin); secrets are never shown again",
    responses: {
      200: { description: "OK", schema: z.strictObject({ webhooks: z.array(webhookSchema) }) },
      403: forbidden,
      404: projectNotFound,
    },
    async handle({ services, principal, params }) {
      const result = await services.webhooks.list(principal, params.id ?? "");
      if (!result.ok) return serviceFailure(result.error);
      return { status: 200, body: { webhooks: result.value.map(serializeWebhook) } };
    },
  }),
  route({
    method: "DELETE",
    url: "/webhooks/:id",
    operationId: "deleteWebhook",
    summary: "Delete a webhook endpoint (admin), with its queued deliveries",
    responses: { 204: { description: "Deleted" }, 403: forbidden, 404: webhookNotFound },
    async handle({ services, principal, params }) {
      const result = await services.webhooks.delete(principal, params.id ?? "");
      if (!result.ok) return serviceFailure(result.error);
      return { status: 204 };
    },
  }),
  route<undefined, AttemptQuery>({
    method: "GET",
    url: "/webhooks/:id/deliveries",
    operationId: "listWebhookDeliveries",
    summary:
      "The endpoint's delivery attempts, newest first (admin): event, status code, duration, error, next retry",
    query: attemptQuerySchema,
    responses: {
      200: {
        description: '{"deliveries": [...], "next": cursor or null}',
        schema: z.strictObject({
          deliveries: z.array(attemptSchema),
          next: z.string().nullable(),
        }),
      },
      400: { description: "A bad limit or cursor" },
      403: forbidden,
      404: webhookNotFound,
    },
    async handle({ services, principal, params, query }) {
      const result = await services.webhooks.attempts(principal, params.id ?? "", query);
      if (!result.ok) return serviceFailure(result.error);
      return {
        status: 200,
        body: { deliveries: result.value.attempts.map(serializeAttempt), next: result.value.next },
      };
    },
  }),
  route({
    method: "POST",
    url: "/webhooks/:id/deliveries/:delivery_id/retry",
    operationId: "retryWebhookDelivery",
    summary:
      "Send a delivery again now, then on the retry schedule (admin); a disabled endpoint is enabled again",
    responses: {
      202: {
        description: "Queued",
        schema: z.strictObject({ delivery_id: z.uuid(), next_attempt_at: z.iso.datetime() }),
      },
      403: forbidden,
      404: { description: "No such webhook or delivery, or not yours" },
    },
    async handle({ services, principal, params }) {
      const result = await services.webhooks.retry(
        principal,
        params.id ?? "",
        params.delivery_id ?? "",
      );
      if (!result.ok) return serviceFailure(result.error);
      return {
        status: 202,
        body: {
          delivery_id: result.value.deliveryId,
          next_attempt_at: result.value.nextAttemptAt.toISOString(),
        },
      };
    },
  }),
];
