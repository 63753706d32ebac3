import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { Redis } from "ioredis";
import type { Workspace } from "../generated/prisma/client.js";
import type { Logger } from "../logger.js";
import { reviveWorkspace } from "./workspace-json.js";

/** A committed change to one workspace, or its removal (the end of its stream). */
export type StatusMessage =
  | { kind: "changed"; workspace: Workspace }
  | { kind: "deleted"; workspace: Workspace };

/** What a watcher receives: a message, or "resync" when messages may have been lost. */
export type BusEvent = StatusMessage | { kind: "resync" };

export type BusListener = (event: BusEvent) => void;

/** Receives another process's broadcast, parsed from JSON (unchecked: validate it). */
export type BroadcastListener = (payload: unknown) => void;

/** Fan-out of status messages to the watchers of each workspace. */
export interface StatusBus {
  publish(message: StatusMessage): void;
  /**
   * Resolves once messages published from now on will be delivered (on Redis: once the
   * server has confirmed the subscription). Returns the unsubscribe function.
   */
  subscribe(workspaceId: string, listener: BusListener): Promise<() => void>;
  /**
   * Sends `payload` (JSON) on `topic` to the other processes sharing the bus; this process's
   * own listeners are not called (the sender acts locally itself). A no-op in-process.
   */
  broadcast(topic: string, payload: unknown): void;
  /**
   * Calls `listener` with what other processes broadcast on `topic`. Resolves once later
   * broadcasts will be delivered (bounded like `subscribe`); returns the unsubscribe function.
   */
  onBroadcast(topic: string, listener: BroadcastListener): Promise<() => void>;
  connect(): Promise<void>;
  close(): Promise<void>;
}

/** In-process fan-out keyed by workspace id: a message costs work only for its own watchers. */
export class LocalStatusBus implements StatusBus {
  private readonly listeners = new Map<string, Set<BusListener>>();

  publish(message: StatusMessage): void {
    this.deliver(message.workspace.id, message);
  }

  async subscribe(workspaceId: string, listener: BusListener): Promise<() => void> {
    return this.add(workspaceId, listener);
  }

  /** Registers synchronously; `onEmpty` runs when the last listener of the id leaves. */
  add(workspaceId: string, listener: BusListener, onEmpty?: () => void): () => void {
    let set = this.listeners.get(workspaceId);
    if (!set) {
      set = new Set();
      this.listeners.set(workspaceId, set);
    }
    set.add(listener);
    return () => {
      const current = this.listeners.get(workspaceId);
      if (!current?.delete(listener) || current.size > 0) return;
      this.listeners.delete(workspaceId);
      onEmpty?.();
    };
  }

  deliver(workspaceId: string, event: BusEvent): void {
    const set = this.listeners.get(workspaceId);
    if (!set) return;
    for (const listener of [...set]) listener(event);
  }

  has(workspaceId: string): boolean {
    return this.listeners.has(workspaceId);
  }

  /** Every watched id. */
  ids(): string[] {
    return [...this.listeners.keys()];
  }

  /** There is no other process to reach. */
  broadcast(_topic: string, _payload: unknown): void {}

  async onBroadcast(_topic: string, _listener: BroadcastListener): Promise<() => void> {
    return () => {};
  }

  async connect(): Promise<void> {}

  async close(): Promise<void> {}
}

/** Messages on Redis carry their origin, so a process skips its own (delivered locally). */
interface WireMessage {
  origin: string;
  message: StatusMessage;
}

export interface RedisStatusBusOptions {
  url: string;
  logger: Logger;
  /** How long a new watch waits for Redis to confirm its subscription before going on. */
  subscribeTimeoutMs?: number;
}

const CHANNEL_PREFIX = "workspace-gateway:workspace-status:";
const BROADCAST_PREFIX = "workspace-gateway:broadcast:";

/**
 * Fan-out across replicas: one Redis channel per workspace, subscribed while some local
 * watcher needs it. Local watchers get local changes directly. Redis pub/sub drops what is
 * published while a connection is down, so after a reconnect every watcher is told to resync
 * from the database.
 */
export class RedisStatusBus implements StatusBus {
  private readonly origin = randomUUID();
  private readonly local = new LocalStatusBus();
  private readonly publishClient: Redis;
  private readonly subscribeClient: Redis;
  private readonly target;
  private readonly log: Logger;
  private readonly subscribeTimeoutMs: number;
  private closed = false;
  private connectedOnce = false;

  constructor(options: RedisStatusBusOptions) {
    this.log = options.logger;
    this.subscribeTimeoutMs = options.subscribeTimeoutMs ?? 3000;
    // Named so that an operator (or a test) can tell the connections apart in CLIENT LIST.
    const client = (role: string) =>
      guardCommands(
        new Redis(options.url, {
          lazyConnect: true,
          connectionName: `workspace-gateway:${process.pid}:${role}`,
        }),
        this.log,
      );
    this.publishClient = client("publish");
    this.subscribeClient = client("subscribe");
    for (const [role, client] of [
      ["publish", this.publishClient],
      ["subscribe", this.subscribeClient],
    ] as const) {
      // ioredis retries every few seconds while Redis is away: one line per outage is enough.
      let reported = false;
      client.on("ready", () => {
        reported = false;
      });
      client.on("error", (error: Error) => {
        if (reported) return;
        reported = true;
        this.log.warn({ err: error, role }, "redis connection error; retrying");
      });
    }
    this.subscribeClient.on("ready", () => {
      if (this.connectedOnce) this.afterReconnect();
      this.connectedOnce = true;
    });
    this.target = createRedisEventTarget<CustomEvent<string>>({
      publishClient: this.publishClient,
      subscribeClient: this.subscribeClient,
      // Parsed here rather than in the target, so one bad message cannot throw inside ioredis.
      serializer: { stringify: (value) => String(value), parse: (text) => text },
    });
  }

  publish(message: StatusMessage): void {
    this.local.publish(message);
    if (this.closed) return;
    const wire: WireMessage = { origin: this.origin, message };
    this.target.dispatchEvent(
      new CustomEvent(channel(message.workspace.id), { detail: JSON.stringify(wire) }),
    );
  }

  async subscribe(workspaceId: string, listener: BusListener): Promise<() => void> {
    const name = channel(workspaceId);
    const first = !this.local.has(workspaceId);
    const unsubscribe = this.local.add(workspaceId, listener, () => {
      if (!this.closed) this.target.removeEventListener(name, this.onRedisMessage);
    });
    if (first) this.target.addEventListener(name, this.onRedisMessage);
    if (!this.closed) await this.confirmSubscribed([name]);
    return unsubscribe;
  }

  broadcast(topic: string, payload: unknown): void {
    if (this.closed) return;
    const detail = JSON.stringify({ origin: this.origin, payload });
    this.target.dispatchEvent(new CustomEvent(`${BROADCAST_PREFIX}${topic}`, { detail }));
  }

  async onBroadcast(topic: string, listener: BroadcastListener): Promise<() => void> {
    const name = `${BROADCAST_PREFIX}${topic}`;
    const onMessage = (event: CustomEvent<string>) => {
      let wire: { origin?: unknown; payload?: unknown };
      try {
        wire = JSON.parse(event.detail) as typeof wire;
      } catch (error) {
        this.log.warn({ err: error, channel: name }, "unreadable broadcast on redis");
        return;
      }
      if (wire.origin !== this.origin) listener(wire.payload);
    };
    this.target.addEventListener(name, onMessage);
    if (!this.closed) await this.confirmSubscribed([name]);
    return () => {
      if (!this.closed) this.target.removeEventListener(name, onMessage);
    };
  }

  async connect(): Promise<void> {
    try {
      // A watch may have connected a client already (ioredis connects on the first command).
      await Promise.all(
        [this.publishClient, this.subscribeClient]
          .filter((client) => client.status === "wait")
          .map((client) => client.connect()),
      );
    } catch (error) {
      // ioredis keeps retrying; watchers resync once it is back.
      this.log.error(
        { err: error },
        "redis unreachable; status events stay local until it is back",
      );
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      [this.publishClient, this.subscribeClient].map(async (client) => {
        if (client.status !== "ready") return client.disconnect();
        await Promise.race([client.quit(), delay(1000, undefined, { ref: false })]).catch(() => {});
        client.disconnect();
      }),
    );
  }

  private readonly onRedisMessage = (event: CustomEvent<string>) => {
    let wire: WireMessage;
    try {
      wire = JSON.parse(event.detail) as WireMessage;
    } catch (error) {
      this.log.warn({ err: error, channel: event.type }, "unreadable status message on redis");
      return;
    }
    if (wire.origin === this.origin) return;
    const workspace = reviveWorkspace(wire.message.workspace);
    this.local.deliver(workspace.id, { kind: wire.message.kind, workspace });
  };

  /**
   * A SUBSCRIBE answered by the server means every earlier one on this connection is active
   * too. Bounded: with Redis away the watch goes on and resyncs on reconnect.
   */
  private async confirmSubscribed(channels: string[]): Promise<void> {
    if (channels.length === 0) return;
    await Promise.race([
      this.subscribeClient.subscribe(...channels).catch(() => {}),
      delay(this.subscribeTimeoutMs, undefined, { ref: false }),
    ]);
  }

  private afterReconnect(): void {
    // ioredis resubscribes right after "ready"; once that is confirmed, resync every watch.
    const ids = this.local.ids();
    this.log.info({ watched: ids.length }, "redis reconnected; resyncing status watchers");
    setImmediate(() => {
      void this.confirmSubscribed(ids.map(channel)).then(() => {
        for (const id of ids) this.local.deliver(id, { kind: "resync" });
      });
    });
  }
}

function channel(workspaceId: string): string {
  return `${CHANNEL_PREFIX}${workspaceId}`;
}

/**
 * redis-event-target fires publish/subscribe/unsubscribe without awaiting them; a rejected
 * command (Redis down, client closed) must be logged, not crash the process as an unhandled
 * rejection.
 */
function guardCommands(client: Redis, log: Logger): Redis {
  const commands = client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of ["publish", "subscribe", "unsubscribe"]) {
    const original = commands[name]?.bind(client);
    if (!original) continue;
    commands[name] = (...args: unknown[]) => {
      const result = original(...args);
      result.catch((error: unknown) =>
        log.warn({ err: error, command: name }, "redis command failed"),
      );
      return result;
    };
  }
  return client;
}
