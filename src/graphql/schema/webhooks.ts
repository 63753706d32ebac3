/**
 * Webhooks in GraphQL (issue 18): `Project.webhooks`, `createWebhook`, `deleteWebhook`,
 * `Webhook.deliveries`, `retryWebhookDelivery`. The rules (admins only, limits, the secret) are
 * services/webhooks.ts; the REST twin is rest/webhook-routes.ts.
 */
import type { Project as ProjectRow } from "../../generated/prisma/client.js";
import { encodeCursor, LIST_LIMIT_MAX } from "../../services/page.js";
import {
  type DeliveryAttempt,
  WEBHOOK_DESCRIPTION_MAX,
  WEBHOOK_URL_MAX,
  WEBHOOKS_PER_PROJECT,
  type Webhook as WebhookValue,
} from "../../services/webhooks.js";
import { builder } from "../builder.js";
import { CONNECTION_ARG_DESCRIPTIONS, readSlice } from "../connections.js";
import { requireCaller } from "../context.js";
import {
  ForbiddenError,
  InvalidInputError,
  ProjectNotFoundError,
  unwrap,
  WebhookNotFoundError,
} from "./errors.js";
import { WorkspaceEventType } from "./events.js";
import { Project } from "./project.js";
import { DateTime } from "./scalars.js";

const Attempt = builder.objectRef<DeliveryAttempt>("WebhookDeliveryAttempt").implement({
  description: "One attempt to deliver one event to a webhook endpoint.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The attempt's id." }),
    deliveryId: t.exposeID("deliveryId", {
      description:
        "The delivery (one event to this endpoint) it belongs to: pass it to retryWebhookDelivery. Also the webhook-id header of every attempt of it.",
    }),
    eventId: t.exposeID("eventId", { description: "The event's id (WorkspaceEvent.id)." }),
    at: t.field({ type: DateTime, description: "When it was made.", resolve: (a) => a.at }),
    statusCode: t.exposeInt("statusCode", {
      nullable: true,
      description: "The HTTP status answered; null when nothing answered (see error).",
    }),
    durationMs: t.exposeInt("durationMs", { description: "Milliseconds until the answer." }),
    error: t.exposeString("error", {
      nullable: true,
      description:
        "Why it failed (a status other than 2xx, a timeout, a refused or private address); null when delivered.",
    }),
    responseBody: t.exposeString("responseBody", {
      nullable: true,
      description: "At most the first 1 KiB of the answer's body.",
    }),
    nextRetryAt: t.field({
      type: DateTime,
      nullable: true,
      description: "When the next attempt is due; null when none is planned.",
      resolve: (a) => a.nextRetryAt,
    }),
  }),
});

const AttemptConnection = builder.connectionObject(
  {
    type: Attempt,
    name: "WebhookDeliveryAttemptConnection",
    description: "A page of delivery attempts, newest first.",
  },
  { name: "WebhookDeliveryAttemptEdge", description: "One attempt of a page, with its cursor." },
);

export const Webhook = builder.objectRef<WebhookValue>("Webhook").implement({
  description:
    "A webhook endpoint of a project: each workspace event of the types it wants is POSTed to it, signed per Standard Webhooks.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The endpoint's id, the same as REST's." }),
    url: t.exposeString("url", { description: "Where events are POSTed." }),
    eventTypes: t.field({
      type: [WorkspaceEventType],
      description: "The event types it receives; empty: every type.",
      resolve: (webhook) => webhook.eventTypes,
    }),
    description: t.exposeString("description", {
      nullable: true,
      description: "What it is for, as given.",
    }),
    createdAt: t.field({
      type: DateTime,
      description: "When it was created.",
      resolve: (webhook) => webhook.createdAt,
    }),
    failingSince: t.field({
      type: DateTime,
      nullable: true,
      description:
        "The start of its current run of failed attempts; null after a success. Disabled after WEBHOOK_DISABLE_AFTER_DAYS.",
      resolve: (webhook) => webhook.failingSince,
    }),
    disabledAt: t.field({
      type: DateTime,
      nullable: true,
      description:
        "Set: nothing is sent to it (it answered 410 Gone, or failed for too long). retryWebhookDelivery enables it again.",
      resolve: (webhook) => webhook.disabledAt,
    }),
    disabledReason: t.exposeString("disabledReason", {
      nullable: true,
      description: "Why it was disabled.",
    }),
    deliveries: t.field({
      type: AttemptConnection,
      description: "Its delivery attempts, newest first.",
      args: {
        first: t.arg.int({
          description: CONNECTION_ARG_DESCRIPTIONS.first.replace(" Not with `last`.", ""),
        }),
        after: t.arg.string({
          description: "Only attempts after this cursor (pageInfo.endCursor).",
        }),
      },
      // The parent was read with the caller's rights (admins only).
      resolve: async (webhook, args, context) => {
        const { size } = readSlice({ first: args.first });
        const page = unwrap(
          await context.services.webhooks.attemptsOf(webhook.id, {
            limit: Math.min(size, LIST_LIMIT_MAX),
            after: args.after ?? undefined,
          }),
        );
        const edges = page.attempts.map((node) => ({
          cursor: encodeCursor({ createdAt: node.at, id: node.id }),
          node,
        }));
        return {
          edges,
          pageInfo: {
            hasNextPage: page.next !== null,
            hasPreviousPage: args.after != null,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
        };
      },
    }),
  }),
});

builder.objectField(Project, "webhooks", (t) =>
  t.field({
    type: [Webhook],
    description: `Its webhook endpoints, oldest first (at most ${WEBHOOKS_PER_PROJECT}). Admins only: a FORBIDDEN error for other members.`,
    resolve: async (project: ProjectRow, _args, context) =>
      unwrap(await context.services.webhooks.list(requireCaller(context), project.id)),
  }),
);

const CreateWebhookInput = builder.inputType("CreateWebhookInput", {
  description: "The webhook endpoint to add to a project.",
  fields: (t) => ({
    projectId: t.id({ required: true, description: "The project's id." }),
    url: t.string({
      required: true,
      description: `http:// or https://, at most ${WEBHOOK_URL_MAX} characters.`,
    }),
    eventTypes: t.field({
      type: [WorkspaceEventType],
      description: "Only these event types; left out, null or empty: every type.",
    }),
    description: t.string({
      description: `What it is for, at most ${WEBHOOK_DESCRIPTION_MAX} characters.`,
    }),
  }),
});

/** The secret of a webhook just created (the success type's `secret` reads it). */
const secrets = new WeakMap<object, string>();

builder.mutationField("createWebhook", (t) =>
  t.field({
    type: Webhook,
    description: `Adds a webhook endpoint to a project (admins; at most ${WEBHOOKS_PER_PROJECT} per project).`,
    args: {
      input: t.arg({ type: CreateWebhookInput, required: true, description: "What to add." }),
    },
    errors: {
      types: [InvalidInputError, ProjectNotFoundError, ForbiddenError],
      union: {
        name: "CreateWebhookResult",
        description: "The new endpoint with its secret, or why nothing was added.",
      },
      result: {
        name: "CreateWebhookSuccess",
        description: "The endpoint was added.",
        fields: (t) => ({
          secret: t.string({
            description:
              "The signing secret (whsec_ + base64 of 24 random bytes). Shown only here: keep it; verify each delivery with it (Standard Webhooks).",
            resolve: (webhook) => secrets.get(webhook) ?? "",
          }),
        }),
      },
      dataField: { name: "webhook", description: "The new endpoint." },
    },
    resolve: async (_root, { input }, context) => {
      const created = unwrap(
        await context.services.webhooks.create(requireCaller(context), input.projectId, {
          url: input.url,
          eventTypes: input.eventTypes,
          description: input.description,
        }),
      );
      secrets.set(created.webhook, created.secret);
      return created.webhook;
    },
  }),
);

builder.mutationField("deleteWebhook", (t) =>
  t.field({
    type: "ID",
    description: "Deletes a webhook endpoint with its queued deliveries (admins).",
    args: { id: t.arg.id({ required: true, description: "The endpoint's id." }) },
    errors: {
      types: [WebhookNotFoundError, ForbiddenError],
      union: {
        name: "DeleteWebhookResult",
        description: "The deleted endpoint's id, or why nothing was deleted.",
      },
      result: { name: "DeleteWebhookSuccess", description: "The endpoint is deleted." },
      dataField: { name: "deletedWebhookId", description: "The id of the endpoint deleted." },
    },
    resolve: async (_root, { id }, context) =>
      unwrap(await context.services.webhooks.delete(requireCaller(context), id)).id,
  }),
);

builder.mutationField("retryWebhookDelivery", (t) =>
  t.field({
    type: DateTime,
    description:
      "Sends a delivery again now, then on the retry schedule (admins); a disabled endpoint is enabled again.",
    args: {
      webhookId: t.arg.id({ required: true, description: "The endpoint's id." }),
      deliveryId: t.arg.id({
        required: true,
        description: "The delivery's id (WebhookDeliveryAttempt.deliveryId).",
      }),
    },
    errors: {
      types: [WebhookNotFoundError, ForbiddenError],
      union: {
        name: "RetryWebhookDeliveryResult",
        description: "When the delivery is due again, or why it was not queued.",
      },
      result: { name: "RetryWebhookDeliverySuccess", description: "The delivery is queued." },
      dataField: { name: "nextAttemptAt", description: "When it is due (now)." },
    },
    resolve: async (_root, { webhookId, deliveryId }, context) =>
      unwrap(await context.services.webhooks.retry(requireCaller(context), webhookId, deliveryId))
        .nextAttemptAt,
  }),
);
