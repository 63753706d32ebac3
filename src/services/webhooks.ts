/**
 * Webhook endpoints of a project (issue 18): create (the secret is shown once), list, delete,
 * their delivery attempts, and a manual retry. Managing them is the admin's (access-policy.ts,
 * "webhooks.manage"); another user's project or endpoint reads as missing.
 *
 * Deliveries are queued by the database in the statement of each change (the outbox, migration
 * 20261206120000_workspace_events); lifecycle/webhook-worker.ts sends them.
 */
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "../db/client.js";
import type {
  WebhookAttempt,
  WebhookEndpoint,
  WorkspaceEventType,
} from "../generated/prisma/client.js";
import type { Caller } from "./access-policy.js";
import { encodeEventCursor } from "./events.js";
import { decodeCursor, encodeCursor, LIST_LIMIT_MAX } from "./page.js";
import type { ProjectService } from "./projects.js";
import { errors, fail, type InputIssue, ok, type Result, UUID_PATTERN } from "./result.js";

/** The most endpoints one project may have (each event is sent to each of them). */
export const WEBHOOKS_PER_PROJECT = 10;
export const WEBHOOK_URL_MAX = 2048;
export const WEBHOOK_DESCRIPTION_MAX = 500;

export const EVENT_TYPES = [
  "created",
  "status_changed",
  "updated",
  "deleted",
] as const satisfies readonly WorkspaceEventType[];

/** An endpoint as both doors show it: never its secret (that is shown once, on create). */
export type Webhook = Omit<WebhookEndpoint, "secret">;

/** One attempt to deliver one event, as the deliveries list shows it. */
export interface DeliveryAttempt extends WebhookAttempt {
  /** The event's id (its cursor in the project's log). */
  eventId: string;
}

export interface WebhookInput {
  url: string;
  eventTypes?: readonly WorkspaceEventType[] | null | undefined;
  description?: string | null | undefined;
}

/** `whsec_` + base64 of 24 random bytes (the Standard Webhooks secret format). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

const WITHOUT_SECRET = {
  id: true,
  projectId: true,
  url: true,
  description: true,
  eventTypes: true,
  createdAt: true,
  failingSince: true,
  disabledAt: true,
  disabledReason: true,
} as const;

function checkInput(input: WebhookInput): InputIssue[] {
  const issues: InputIssue[] = [];
  let url: URL | undefined;
  try {
    url = new URL(input.url);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    issues.push({ field: "url", message: "must be an http:// or https:// URL" });
  } else if (input.url.length > WEBHOOK_URL_MAX) {
    issues.push({ field: "url", message: `must be at most ${WEBHOOK_URL_MAX} characters` });
  } else if (url.username || url.password) {
    issues.push({ field: "url", message: "must not carry a user name or password" });
  }
  for (const type of input.eventTypes ?? []) {
    if (!(EVENT_TYPES as readonly string[]).includes(type)) {
      issues.push({
        field: "eventTypes",
        message: `must hold only ${EVENT_TYPES.map((t) => `workspace.${t}`).join(", ")}`,
      });
      break;
    }
  }
  if ((input.description?.length ?? 0) > WEBHOOK_DESCRIPTION_MAX) {
    issues.push({
      field: "description",
      message: `must be at most ${WEBHOOK_DESCRIPTION_MAX} characters`,
    });
  }
  return issues;
}

export class WebhookService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly projects: ProjectService,
  ) {}

  /** A new endpoint and its secret (the only time the secret is shown). */
  async create(
    caller: Caller,
    projectId: string,
    input: WebhookInput,
  ): Promise<Result<{ webhook: Webhook; secret: string }>> {
    const allowed = await this.projects.authorize(caller, projectId, "webhooks.manage");
    if (!allowed.ok) return allowed;
    const issues = checkInput(input);
    if (issues.length > 0) return fail(errors.invalidInput(issues));
    const secret = newWebhookSecret();
    // Counted and inserted under the project's row lock: concurrent creates cannot pass the cap.
    const created = await this.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1 FROM projects WHERE id = ${projectId}::uuid FOR UPDATE`;
      const count = await tx.webhookEndpoint.count({ where: { projectId } });
      if (count >= WEBHOOKS_PER_PROJECT) return null;
      return tx.webhookEndpoint.create({
        data: {
          projectId,
          url: input.url,
          description: input.description ?? null,
          eventTypes: [...new Set(input.eventTypes ?? [])],
          secret,
        },
        select: WITHOUT_SECRET,
      });
    });
    if (!created) {
      return fail(
        errors.invalidInput([
          {
            field: "projectId",
            message: `has ${WEBHOOKS_PER_PROJECT} webhooks, the most a project may have: delete one first`,
          },
        ]),
      );
    }
    return ok({ webhook: created, secret });
  }

  /** The project's endpoints, oldest first (at most WEBHOOKS_PER_PROJECT). */
  async list(caller: Caller, projectId: string): Promise<Result<Webhook[]>> {
    const allowed = await this.projects.authorize(caller, projectId, "webhooks.manage");
    if (!allowed.ok) return allowed;
    return ok(
      await this.prisma.webhookEndpoint.findMany({
        where: { projectId },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        select: WITHOUT_SECRET,
      }),
    );
  }

  /** The endpoint if the caller may manage it; missing and someone else's read the same. */
  async get(caller: Caller, webhookId: string): Promise<Result<Webhook>> {
    if (!UUID_PATTERN.test(webhookId)) return fail(errors.webhookNotFound());
    const found = await this.prisma.webhookEndpoint.findUnique({
      where: { id: webhookId },
      select: WITHOUT_SECRET,
    });
    if (!found) return fail(errors.webhookNotFound());
    const allowed = await this.projects.authorize(caller, found.projectId, "webhooks.manage");
    if (!allowed.ok) {
      return allowed.error.code === "PROJECT_NOT_FOUND" ? fail(errors.webhookNotFound()) : allowed;
    }
    return ok(found);
  }

  /** Deletes the endpoint with its queued deliveries and attempts. */
  async delete(caller: Caller, webhookId: string): Promise<Result<Webhook>> {
    const found = await this.get(caller, webhookId);
    if (!found.ok) return found;
    await this.prisma.webhookEndpoint.deleteMany({ where: { id: webhookId } });
    return found;
  }

  /** The endpoint's delivery attempts, newest first, paged like every list (page.ts). */
  async attempts(
    caller: Caller,
    webhookId: string,
    page: { limit?: number | undefined; after?: string | undefined },
  ): Promise<Result<{ attempts: DeliveryAttempt[]; next: string | null }>> {
    const found = await this.get(caller, webhookId);
    if (!found.ok) return found;
    return this.attemptsOf(webhookId, page);
  }

  /** attempts() for an endpoint the caller was already allowed to see (GraphQL's parent). */
  async attemptsOf(
    webhookId: string,
    page: { limit?: number | undefined; after?: string | undefined },
  ): Promise<Result<{ attempts: DeliveryAttempt[]; next: string | null }>> {
    const limit = page.limit ?? LIST_LIMIT_MAX;
    const issues: InputIssue[] = [];
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > LIST_LIMIT_MAX) {
      issues.push({
        field: "limit",
        message: `must be a whole number from 1 to ${LIST_LIMIT_MAX}`,
      });
    }
    const after = page.after === undefined ? null : decodeCursor(page.after);
    if (page.after !== undefined && !after) {
      issues.push({ field: "after", message: "must be the next cursor of a page" });
    }
    if (issues.length > 0) return fail(errors.invalidInput(issues));
    const rows = await this.prisma.webhookAttempt.findMany({
      where: {
        endpointId: webhookId,
        ...(after
          ? {
              OR: [{ at: { lt: after.createdAt } }, { at: after.createdAt, id: { lt: after.id } }],
            }
          : {}),
      },
      orderBy: [{ at: "desc" }, { id: "desc" }],
      take: limit + 1,
      include: { delivery: { select: { projectId: true, seq: true } } },
    });
    const attempts = rows.slice(0, limit).map(({ delivery, ...attempt }) => ({
      ...attempt,
      eventId: encodeEventCursor(delivery.projectId, delivery.seq),
    }));
    const last = attempts.at(-1);
    const next =
      rows.length > limit && last ? encodeCursor({ createdAt: last.at, id: last.id }) : null;
    return ok({ attempts, next });
  }

  /**
   * Sends the delivery again as soon as a worker is free (and goes on with the retry schedule
   * from there). A disabled endpoint is enabled again: retrying says it is worth trying.
   */
  async retry(
    caller: Caller,
    webhookId: string,
    deliveryId: string,
  ): Promise<Result<{ deliveryId: string; nextAttemptAt: Date }>> {
    const found = await this.get(caller, webhookId);
    if (!found.ok) return found;
    if (!UUID_PATTERN.test(deliveryId)) return fail(errors.webhookNotFound("delivery"));
    const delivery = await this.prisma.webhookDelivery.findFirst({
      where: { id: deliveryId, endpointId: webhookId },
      select: { id: true },
    });
    if (!delivery) return fail(errors.webhookNotFound("delivery"));
    const now = new Date();
    await this.prisma.$transaction([
      this.prisma.webhookDelivery.update({
        where: { id: deliveryId },
        data: { state: "pending", attempts: 0, nextAttemptAt: now },
      }),
      this.prisma.webhookEndpoint.updateMany({
        where: { id: webhookId, disabledAt: { not: null } },
        data: { disabledAt: null, disabledReason: null, failingSince: null },
      }),
    ]);
    return ok({ deliveryId, nextAttemptAt: now });
  }
}
