/**
 * Sends the webhook outbox (issue 18). The database queues one delivery row per endpoint in the
 * statement of each change; every replica runs this worker, which claims due rows with
 * FOR UPDATE SKIP LOCKED (so each attempt is made by one replica) and leases them by moving
 * their due time past the attempt's timeout: a process killed mid-delivery leaves the row due
 * again once the lease runs out, and the next worker sends it again (at least once, never lost).
 *
 * Each attempt is a POST of the event's JSON signed per Standard Webhooks (webhook-id,
 * webhook-timestamp, webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">). A 2xx
 * is delivered; 410 disables the endpoint; anything else (another status, a timeout, a refused
 * or forbidden connection) is retried after the next WEBHOOK_RETRY_SCHEDULE delay (±10%
 * jitter) and failed after the last; an endpoint failing for WEBHOOK_DISABLE_AFTER_DAYS is
 * disabled.
 *
 * Server-side request forgery: unless WEBHOOK_ALLOW_PRIVATE_NETWORKS, the connection's own
 * address lookup (the agent's `lookup`) refuses loopback, private, link-local and metadata
 * addresses, so the address checked is the address connected to (DNS rebinding cannot swap it
 * after a check); an IP literal in the URL is checked as it is (Node looks nothing up for it).
 */
import { createHmac } from "node:crypto";
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { BlockList, isIP } from "node:net";
import type { PrismaClient } from "../db/client.js";
import type { Logger } from "../logger.js";
import { eventJson, eventOf } from "../services/events.js";
import type { WorkspaceStatusService } from "../services/workspace-status.js";

/** At most this much of an answer's body is kept with its attempt. */
export const WEBHOOK_RESPONSE_BODY_MAX = 1024;

/** How often the worker looks for due deliveries that no local change woke it for. */
const POLL_MS = 1000;
/** Deliveries in flight per process. */
const CONCURRENCY = 16;
/** The lease beyond the attempt's timeout: time to record the outcome before another may take it. */
const LEASE_MARGIN_MS = 5000;

export interface WebhookWorkerOptions {
  prisma: PrismaClient;
  status: WorkspaceStatusService;
  logger: Logger;
  /** WEBHOOK_TIMEOUT_MS */
  timeoutMs: number;
  /** WEBHOOK_RETRY_SCHEDULE: seconds before the 2nd, 3rd, … attempt. */
  retrySchedule: readonly number[];
  /** WEBHOOK_DISABLE_AFTER_DAYS */
  disableAfterDays: number;
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS */
  allowPrivateNetworks: boolean;
}

interface Claimed {
  id: string;
  endpoint_id: string;
  project_id: string;
  seq: bigint;
  attempts: number;
}

interface AttemptOutcome {
  statusCode: number | null;
  error: string | null;
  body: string | null;
  durationMs: number;
}

// Loopback, "this network", private, carrier-grade NAT, link-local (and with it the cloud
// metadata address 169.254.169.254), benchmarking, multicast and reserved ranges.
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  PRIVATE.addSubnet(network, prefix, "ipv4");
}
// Unspecified, loopback, NAT64, unique-local (AWS's fd00:ec2::254 metadata too), link-local,
// multicast.
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  PRIVATE.addSubnet(network, prefix, "ipv6");
}

/** Whether an address is one webhooks may not reach (IPv4-mapped IPv6 judged as its IPv4). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, "ipv4");
  if (family !== 6) return true;
  const mapped = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (mapped) {
    const v4 =
      mapped[1] ??
      [mapped[2], mapped[3]]
        .flatMap((part) => {
          const n = Number.parseInt(part ?? "0", 16);
          return [n >> 8, n & 255];
        })
        .join(".");
    return PRIVATE.check(v4, "ipv4");
  }
  return PRIVATE.check(address, "ipv6");
}

function refusal(host: string, address: string): Error {
  return Object.assign(
    new Error(
      `refused: ${host} is ${address}, a loopback, private, link-local or metadata address (WEBHOOK_ALLOW_PRIVATE_NETWORKS)`,
    ),
    { code: "EWEBHOOKPRIVATE" },
  );
}

/** dns.lookup that answers only public addresses: the ones the socket then connects to. */
const publicLookup = ((
  hostname: string,
  options: { all?: boolean; family?: number },
  callback: (error: Error | null, address?: string | LookupAddress[], family?: number) => void,
) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error);
    const blocked = addresses.find((entry) => isPrivateAddress(entry.address));
    if (blocked) return callback(refusal(hostname, blocked.address));
    const [first] = addresses;
    if (options.all) return callback(null, addresses);
    if (!first) return callback(new Error(`${hostname} has no address`));
    return callback(null, first.address, first.family);
  });
}) as unknown as typeof dnsLookup;

/** The Standard Webhooks signature header value for one message. */
export function webhookSignature(secret: string, id: string, timestamp: number, body: string) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const mac = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  return `v1,${mac}`;
}

export function createWebhookWorker(options: WebhookWorkerOptions) {
  const { prisma, logger, timeoutMs, retrySchedule } = options;
  const agentOptions = {
    keepAlive: false,
    ...(options.allowPrivateNetworks ? {} : { lookup: publicLookup }),
  };
  const agents = { "http:": new http.Agent(agentOptions), "https:": new https.Agent(agentOptions) };
  const inFlight = new Set<Promise<void>>();
  let stopped = true;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let unsubscribe: (() => void) | undefined;

  /** Due deliveries of enabled endpoints, leased to this process past the attempt's timeout. */
  async function claim(limit: number): Promise<Claimed[]> {
    const leaseSeconds = (timeoutMs + LEASE_MARGIN_MS) / 1000;
    return prisma.$queryRaw<Claimed[]>`
      WITH due AS (
        SELECT d.id FROM webhook_deliveries d
        JOIN webhook_endpoints e ON e.id = d.endpoint_id
        WHERE d.next_attempt_at <= clock_timestamp()
          AND d.state = 'pending'::"WebhookDeliveryState" AND e.disabled_at IS NULL
        ORDER BY d.next_attempt_at
        LIMIT ${limit}
        FOR UPDATE OF d SKIP LOCKED
      )
      UPDATE webhook_deliveries d
      SET next_attempt_at = clock_timestamp() + make_interval(secs => ${leaseSeconds})
      FROM due WHERE d.id = due.id
      RETURNING d.id::text, d.endpoint_id::text, d.project_id::text, d.seq, d.attempts`;
  }

  async function deliver(claimed: Claimed): Promise<void> {
    const [endpoint, row] = await Promise.all([
      prisma.webhookEndpoint.findUnique({ where: { id: claimed.endpoint_id } }),
      prisma.workspaceEvent.findUnique({
        where: { projectId_seq: { projectId: claimed.project_id, seq: claimed.seq } },
      }),
    ]);
    // Deleted meanwhile (the endpoint, or the event by the retention sweep): nothing to send.
    if (!endpoint || !row) return;
    const body = JSON.stringify(eventJson(eventOf(row)));
    const timestamp = Math.floor(Date.now() / 1000);
    const outcome = await post(endpoint.url, body, {
      "content-type": "application/json",
      "user-agent": "workspace-gateway-webhooks",
      "webhook-id": claimed.id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": webhookSignature(endpoint.secret, claimed.id, timestamp, body),
    });
    await record(claimed, outcome);
  }

  function post(url: string, body: string, headers: Record<string, string>) {
    const started = performance.now();
    const done = (o: Omit<AttemptOutcome, "durationMs">): AttemptOutcome => ({
      ...o,
      durationMs: Math.round(performance.now() - started),
    });
    return new Promise<AttemptOutcome>((resolve) => {
      const target = new URL(url);
      const host = target.hostname.replace(/^\[|\]$/g, "");
      // An IP literal is connected to as it is: Node looks nothing up, so it is checked here.
      if (!options.allowPrivateNetworks && isIP(host) && isPrivateAddress(host)) {
        return resolve(done({ statusCode: null, error: refusal(host, host).message, body: null }));
      }
      const agent = target.protocol === "https:" ? agents["https:"] : agents["http:"];
      const client = target.protocol === "https:" ? https : http;
      const chunks: Buffer[] = [];
      let kept = 0;
      const request = client.request(
        target,
        {
          method: "POST",
          agent,
          headers: { ...headers, "content-length": Buffer.byteLength(body) },
        },
        (response) => {
          const finish = () => {
            clearTimeout(timer);
            resolve(
              done({
                statusCode: response.statusCode ?? null,
                error: null,
                body: Buffer.concat(chunks).toString("utf8"),
              }),
            );
          };
          response.on("data", (chunk: Buffer) => {
            if (kept >= WEBHOOK_RESPONSE_BODY_MAX) return;
            const part = chunk.subarray(0, WEBHOOK_RESPONSE_BODY_MAX - kept);
            chunks.push(part);
            kept += part.length;
            // The rest is not read: the answer's status is what counts.
            if (kept >= WEBHOOK_RESPONSE_BODY_MAX) {
              response.destroy();
              finish();
            }
          });
          response.on("end", finish);
          response.on("error", finish);
        },
      );
      const timer = setTimeout(
        () => request.destroy(new Error(`no answer within ${timeoutMs} ms (WEBHOOK_TIMEOUT_MS)`)),
        timeoutMs,
      );
      request.on("error", (error) => {
        clearTimeout(timer);
        resolve(done({ statusCode: null, error: error.message, body: null }));
      });
      request.end(body);
    });
  }

  /** The attempt, and what follows from it for the delivery and the endpoint, in one transaction. */
  async function record(claimed: Claimed, outcome: AttemptOutcome) {
    const attempts = claimed.attempts + 1;
    const now = new Date();
    const code = outcome.statusCode;
    const delivered = code !== null && code >= 200 && code < 300;
    const gone = code === 410;
    const delaySeconds = retrySchedule[attempts - 1];
    const nextRetryAt =
      delivered || gone || delaySeconds === undefined
        ? null
        : new Date(now.getTime() + delaySeconds * 1000 * (0.9 + Math.random() * 0.2));
    const disableBefore = new Date(now.getTime() - options.disableAfterDays * 86_400_000);
    await prisma.$transaction(async (tx) => {
      await tx.webhookAttempt.create({
        data: {
          deliveryId: claimed.id,
          endpointId: claimed.endpoint_id,
          at: now,
          statusCode: code,
          durationMs: outcome.durationMs,
          error: outcome.error ?? (delivered ? null : `answered ${code}`),
          responseBody: outcome.body,
          nextRetryAt,
        },
      });
      await tx.webhookDelivery.updateMany({
        where: { id: claimed.id },
        data: {
          attempts,
          state: delivered ? "delivered" : nextRetryAt ? "pending" : "failed",
          nextAttemptAt: nextRetryAt,
        },
      });
      if (delivered) {
        await tx.webhookEndpoint.updateMany({
          where: { id: claimed.endpoint_id, failingSince: { not: null } },
          data: { failingSince: null },
        });
      } else if (gone) {
        await tx.webhookEndpoint.updateMany({
          where: { id: claimed.endpoint_id },
          data: { disabledAt: now, disabledReason: "the endpoint answered 410 Gone" },
        });
      } else {
        await tx.webhookEndpoint.updateMany({
          where: { id: claimed.endpoint_id, failingSince: null },
          data: { failingSince: now },
        });
        await tx.webhookEndpoint.updateMany({
          where: { id: claimed.endpoint_id, failingSince: { lte: disableBefore } },
          data: {
            disabledAt: now,
            disabledReason: `failing for ${options.disableAfterDays} days (WEBHOOK_DISABLE_AFTER_DAYS)`,
          },
        });
      }
    });
  }

  async function run() {
    while (!stopped) {
      let claimed: Claimed[] = [];
      const room = CONCURRENCY - inFlight.size;
      if (room > 0) {
        try {
          claimed = await claim(room);
        } catch (error) {
          logger.warn({ err: error }, "webhook claim failed");
        }
      }
      for (const delivery of claimed) {
        const task = deliver(delivery)
          .catch((error: unknown) => logger.warn({ err: error }, "webhook delivery failed"))
          .finally(() => {
            inFlight.delete(task);
            wake?.();
          });
        inFlight.add(task);
      }
      if (claimed.length > 0 && claimed.length === room) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      // A local change may have queued deliveries: look at once rather than at the next poll.
      unsubscribe = options.status.onChange(() => wake?.());
      loop = run();
    },
    /** Stops claiming and waits for the attempts in flight (each bounded by the timeout). */
    async stop() {
      stopped = true;
      unsubscribe?.();
      wake?.();
      await loop;
      await Promise.allSettled([...inFlight]);
      agents["http:"].destroy();
      agents["https:"].destroy();
    },
  };
}
