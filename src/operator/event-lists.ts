/**
 * The operator's views of the event log and of webhooks (issue 18): a workspace's history and a
 * project's webhook endpoints. Like the other lists, an operator's view: read from the tables,
 * not through a user's authorisation rules; never a webhook's secret.
 */
import { eventJson, eventOf } from "../services/events.js";
import { UUID_PATTERN } from "../services/result.js";
import { type OperatorContext, OperatorError, type Options, required } from "./context.js";

const iso = (date: Date | null) => date?.toISOString() ?? null;

function uuid(value: string, flag: string, what: string): string {
  if (!UUID_PATTERN.test(value)) {
    throw new OperatorError(`${flag} must be ${what} id (a UUID), got ${JSON.stringify(value)}`);
  }
  return value;
}

export const eventListCommands = {
  /** Every kept event of the workspace, oldest first (its project's log, this workspace only). */
  async "workspace history"({ database }: OperatorContext, options: Options) {
    const workspaceId = uuid(required(options, "id"), "ID", "a workspace");
    const rows = await database.prisma.workspaceEvent.findMany({
      where: { workspaceId },
      orderBy: { seq: "asc" },
    });
    return { events: rows.map((row) => eventJson(eventOf(row))) };
  },

  async "webhook list"({ database }: OperatorContext, options: Options) {
    const projectId = uuid(required(options, "project"), "--project", "a project");
    const webhooks = await database.prisma.webhookEndpoint.findMany({
      where: { projectId },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      include: { _count: { select: { deliveries: { where: { state: "pending" } } } } },
    });
    return {
      webhooks: webhooks.map((webhook) => ({
        id: webhook.id,
        url: webhook.url,
        event_types: webhook.eventTypes.map((type) => `workspace.${type}`),
        description: webhook.description,
        created_at: iso(webhook.createdAt),
        failing_since: iso(webhook.failingSince),
        disabled_at: iso(webhook.disabledAt),
        disabled_reason: webhook.disabledReason,
        pending_deliveries: webhook._count.deliveries,
      })),
    };
  },
} satisfies Record<string, (context: OperatorContext, options: Options) => Promise<object>>;
