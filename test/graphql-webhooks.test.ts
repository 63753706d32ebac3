// Issue 18 webhooks over GraphQL: createWebhook shows the secret once, Project.webhooks lists the
// endpoint, Webhook.deliveries shows the attempts the worker made (signature checked by
// standardwebhooks), retryWebhookDelivery sends again, deleteWebhook removes it; another user's
// project or webhook is the not-found member.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, it } from "vitest";
import { graphql } from "./generated/index.js";
import { embeddedDatabase } from "./kit/database.js";
import { graphqlClient, member } from "./kit/graphql.js";
import { restClient } from "./kit/rest.js";
import { seedUser } from "./kit/seed.js";
import { useServer } from "./kit/server.js";
import { waitFor } from "./kit/wait.js";

const CreateWebhook = graphql(`
  mutation GqlCreateWebhook($input: CreateWebhookInput!) {
    createWebhook(input: $input) {
      __typename
      ... on CreateWebhookSuccess { secret webhook { id url eventTypes description disabledAt } }
      ... on UserError { message }
    }
  }
`);

const Webhooks = graphql(`
  query GqlProjectWebhooks($id: ID!) {
    project(id: $id) {
      webhooks {
        id
        url
        deliveries(first: 10) {
          edges { cursor node { deliveryId eventId statusCode error nextRetryAt } }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
`);

const Retry = graphql(`
  mutation GqlRetryDelivery($webhookId: ID!, $deliveryId: ID!) {
    retryWebhookDelivery(webhookId: $webhookId, deliveryId: $deliveryId) {
      __typename
      ... on RetryWebhookDeliverySuccess { nextAttemptAt }
      ... on UserError { message }
    }
  }
`);

const Delete = graphql(`
  mutation GqlDeleteWebhook($id: ID!) {
    deleteWebhook(id: $id) {
      __typename
      ... on DeleteWebhookSuccess { deletedWebhookId }
      ... on UserError { message }
    }
  }
`);

describe("webhooks over GraphQL (embedded database)", () => {
  const server = useServer(embeddedDatabase, {
    IDLE_TIMEOUT_MINUTES: "0",
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true",
  });
  const bodies: { headers: Record<string, string>; body: string }[] = [];
  const receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => {
      bodies.push({ headers: request.headers as Record<string, string>, body });
      response.writeHead(200).end("ok");
    });
  });
  afterAll(() => new Promise((resolve) => receiver.close(resolve)));

  it("create (secret once), list with deliveries, retry, delete; another user's reads as missing", async () => {
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const owner = await seedUser(server.services, "gql-hooks");
    const stranger = await seedUser(server.services, "gql-hooks-stranger");
    const gql = graphqlClient(server.url, owner.token);

    const created = member(
      (
        await gql.data(CreateWebhook, {
          input: { projectId: owner.project.id, url, eventTypes: ["CREATED"], description: "ci" },
        })
      ).createWebhook,
      "CreateWebhookSuccess",
    );
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(created.webhook).toMatchObject({ url, eventTypes: ["CREATED"], disabledAt: null });

    const workspace = await restClient(server.url).post(
      `/projects/${owner.project.id}/workspaces`,
      { token: owner.token, json: { keep_active: true } },
    );
    await waitFor(() => bodies.length === 1, { what: "the delivery" });
    const event = new Webhook(created.secret).verify(
      bodies[0]?.body ?? "",
      bodies[0]?.headers ?? {},
    );
    expect(event).toMatchObject({ type: "workspace.created", workspace_id: workspace.json.id });

    const listed = await waitFor(async () => {
      const data = await gql.data(Webhooks, { id: owner.project.id });
      const [hook] = data.project?.webhooks ?? [];
      return hook?.deliveries.edges.length === 1 && hook;
    });
    expect(listed.id).toBe(created.webhook.id);
    const attempt = listed.deliveries.edges[0]?.node;
    expect(attempt).toMatchObject({ statusCode: 200, error: null, nextRetryAt: null });
    expect(attempt?.deliveryId).toBe(bodies[0]?.headers["webhook-id"]);

    const retried = await gql.data(Retry, {
      webhookId: created.webhook.id,
      deliveryId: attempt?.deliveryId ?? "",
    });
    member(retried.retryWebhookDelivery, "RetryWebhookDeliverySuccess");
    await waitFor(() => bodies.length === 2, { what: "the retried delivery" });
    expect(bodies[1]?.headers["webhook-id"]).toBe(bodies[0]?.headers["webhook-id"]);

    // Another user: the not-found members, nothing changed.
    const theirs = graphqlClient(server.url, stranger.token);
    const foreignCreate = await theirs.data(CreateWebhook, {
      input: { projectId: owner.project.id, url },
    });
    member(foreignCreate.createWebhook, "ProjectNotFoundError");
    member(
      (await theirs.data(Delete, { id: created.webhook.id })).deleteWebhook,
      "WebhookNotFoundError",
    );
    member(
      (
        await theirs.data(Retry, {
          webhookId: created.webhook.id,
          deliveryId: attempt?.deliveryId ?? "",
        })
      ).retryWebhookDelivery,
      "WebhookNotFoundError",
    );

    const deleted = member(
      (await gql.data(Delete, { id: created.webhook.id })).deleteWebhook,
      "DeleteWebhookSuccess",
    );
    expect(deleted.deletedWebhookId).toBe(created.webhook.id);
    const after = await gql.data(Webhooks, { id: owner.project.id });
    expect(after.project?.webhooks).toEqual([]);
  }, 60_000);
});
