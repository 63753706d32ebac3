import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
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
  /**
   * The watchers of each workspace: the listener itself while it is the only one (a workspace
   * watched once, the common case, costs no Set), a Set once there are more.
   */
  private readonly listeners = new Map<string, BusListener | Set<BusListener>>();

  publish(message: StatusMessage): void {
    this.deliver(message.workspace.id, message);
  }

  async subscribe(workspaceId: string, listener: BusListener): Promise<() => void> {
    return this.add(workspaceId, listener);
  }

  /** Registers synchronously; `onEmpty` runs when the last listener of the id leaves. */
  add(workspaceId: string, listener: BusListener, onEmpty?: () => void): () => void {
    const current = this.listeners.get(workspaceId);
    if (current === undefined) this.listeners.set(workspaceId, listener);
    else if (typeof current === "function") {
      this.listeners.set(workspaceId, new Set([current, listener]));
    } else current.add(listener);
    return () => this.remove(workspaceId, listener, onEmpty);
  }

  private remove(workspaceId: string, listener: BusListener, onEmpty?: () => void): void {
    const current = this.listeners.get(workspaceId);
    if (current === undefined) return;
    if (typeof current === "function") {
      if (current !== listener) return;
    } else {
      if (!current.delete(listener)) return;
      if (current.size === 1) {
        const [only] = current;
        if (only) this.listeners.set(workspaceId, only);
      }
      if (current.size > 0) return;
    }
    this.listeners.delete(workspaceId);
    onEmpty?.();
  }

  deliver(workspaceId: string, event: BusEvent): void {
    const current = this.listeners.get(workspaceId);
    if (current === undefined) return;
    if (typeof current === "function") current(event);
    else for (const listener of [...current]) listener(event);
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
  /** Broadcast listeners by channel. */
  private readonly broadcastListeners = new Map<string, Set<(text: string) => void>>();
  /** SUBSCRIBEs of workspaces still waiting for the server's answer, by workspace id. */
  private readonly confirming = new Map<string, Promise<void>>();
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
    // One handler for every channel (no event target: its Set per channel and second
    // SUBSCRIBE per watched workspace cost memory and a round trip for nothing).
    this.subscribeClient.on("message", (name: string, text: string) => {
      if (name.startsWith(CHANNEL_PREFIX)) this.onStatusMessage(name, text);
      else for (const listener of this.broadcastListeners.get(name) ?? []) listener(text);
    });
  }

  publish(message: StatusMessage): void {
    this.local.publish(message);
    if (this.closed) return;
    const wire: WireMessage = { origin: this.origin, message };
    void this.publishClient.publish(channel(message.workspace.id), JSON.stringify(wire));
  }

  async subscribe(workspaceId: string, listener: BusListener): Promise<() => void> {
    const first = !this.local.has(workspaceId);
    const unsubscribe = this.local.add(workspaceId, listener, () => this.unwatch(workspaceId));
    if (this.closed) return unsubscribe;
    // The first watcher of a workspace subscribes its channel; later ones need only wait for
    // that SUBSCRIBE's answer if it has not come yet (one connection: later ones are active).
    let confirmed = this.confirming.get(workspaceId);
    if (first) {
      const pending = this.confirmSubscribed([channel(workspaceId)]).finally(() => {
        if (this.confirming.get(workspaceId) === pending) this.confirming.delete(workspaceId);
      });
      this.confirming.set(workspaceId, pending);
      confirmed = pending;
    }
    await confirmed;
    return unsubscribe;
  }

  broadcast(topic: string, payload: unknown): void {
    if (this.closed) return;
    const detail = JSON.stringify({ origin: this.origin, payload });
    void this.publishClient.publish(`${BROADCAST_PREFIX}${topic}`, detail);
  }

  async onBroadcast(topic: string, listener: BroadcastListener): Promise<() => void> {
    const name = `${BROADCAST_PREFIX}${topic}`;
    const onMessage = (text: string) => {
      let wire: { origin?: unknown; payload?: unknown };
      try {
        wire = JSON.parse(text) as typeof wire;
      } catch (error) {
        this.log.warn({ err: error, channel: name }, "unreadable broadcast on redis");
        return;
      }
      if (wire.origin !== this.origin) listener(wire.payload);
    };
    let listeners = this.broadcastListeners.get(name);
    if (!listeners) {
      listeners = new Set();
      this.broadcastListeners.set(name, listeners);
    }
    listeners.add(onMessage);
    if (!this.closed) await this.confirmSubscribed([name]);
    return () => {
      const current = this.broadcastListeners.get(name);
      if (!current?.delete(onMessage) || current.size > 0) return;
      this.broadcastListeners.delete(name);
      if (!this.closed) void this.subscribeClient.unsubscribe(name);
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

  /** The last local watcher of a workspace left: its channel is no longer needed. */
  private unwatch(workspaceId: string): void {
    if (!this.closed) void this.subscribeClient.unsubscribe(channel(workspaceId));
  }

  private onStatusMessage(name: string, text: string): void {
    let wire: WireMessage;
    try {
      wire = JSON.parse(text) as WireMessage;
    } catch (error) {
      this.log.warn({ err: error, channel: name }, "unreadable status message on redis");
      return;
    }
    if (wire.origin === this.origin) return;
    const workspace = reviveWorkspace(wire.message.workspace);
    this.local.deliver(workspace.id, { kind: wire.message.kind, workspace });
  }

  /**
   * A SUBSCRIBE answered by the server means every earlier one on this connection is active
   * too. Bounded: with Redis away the watch goes on and resyncs on reconnect.
   */
  private confirmSubscribed(channels: string[]): Promise<void> {
    if (channels.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      // Cleared once answered: a timer per watched workspace would otherwise live this long.
      const timer = setTimeout(resolve, this.subscribeTimeoutMs).unref();
      void this.subscribeClient
        .subscribe(...channels)
        .catch(() => {})
        .then(() => {
          clearTimeout(timer);
          resolve();
        });
    });
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
 * publish/subscribe/unsubscribe are fired without awaiting them; a rejected command (Redis down,
 * client closed) must be logged, not crash the process as an unhandled rejection.
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
