import type { PrismaClient } from "../db/client.js";
import type { Workspace } from "../generated/prisma/client.js";
import type { BusEvent, StatusBus } from "./status-bus.js";

/** Status events for subscribers, keyed by workspace id. */
export interface StatusEvents {
  /**
   * The workspace as it is now, then every later version in order (never an older one); ends
   * when the workspace is deleted or `signal` aborts. The caller has checked access.
   */
  watch(workspaceId: string, signal: AbortSignal): AsyncIterable<Workspace>;
}

export function createStatusEvents(prisma: PrismaClient, bus: StatusBus): StatusEvents {
  const read = (id: string) => prisma.workspace.findUnique({ where: { id } });
  return {
    async *watch(workspaceId, signal) {
      const inbox = new Inbox<BusEvent>();
      // Subscribed before the snapshot is read: nothing committed after the read is missed.
      const unsubscribe = await bus.subscribe(workspaceId, (event) => inbox.push(event));
      try {
        if (signal.aborted) return;
        const snapshot = await read(workspaceId);
        if (!snapshot) return;
        yield snapshot;
        let sent = snapshot.version;
        for (;;) {
          const event = await inbox.next(signal);
          if (event === undefined || event.kind === "deleted") return;
          const workspace = event.kind === "resync" ? await read(workspaceId) : event.workspace;
          if (!workspace) return;
          // Duplicates, and late messages overtaken by a newer version, are not news.
          if (workspace.version <= sent) continue;
          yield workspace;
          sent = workspace.version;
        }
      } finally {
        unsubscribe();
      }
    },
  };
}

/** An unbounded queue with one reader; `next` gives undefined once `signal` aborts. */
class Inbox<T> {
  private readonly items: T[] = [];
  private waiting: ((item: T | undefined) => void) | undefined;

  push(item: T): void {
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting(item);
    } else {
      this.items.push(item);
    }
  }

  next(signal: AbortSignal): Promise<T | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    if (this.items.length > 0) return Promise.resolve(this.items.shift());
    return new Promise((resolve) => {
      const onAbort = () => {
        this.waiting = undefined;
        resolve(undefined);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiting = (item) => {
        signal.removeEventListener("abort", onAbort);
        resolve(item);
      };
    });
  }
}
