/**
 * One execution per distinct WebSocket subscription: subscribers with the same document,
 * variables and access (the user and the token's scope, which decide everything a subscription
 * may see) share one upstream stream, so each event is executed once and its result object is
 * handed to every subscriber, instead of each subscriber holding its own bus listener, database
 * snapshot and iterator chain and running the resolvers again.
 *
 * Only state streams are shared: a subscriber that joins a running execution starts from its
 * latest event, which for `workspaceStatus` is the workspace as it is now (the stream's first
 * event by contract) but for a log such as `projectEvents` would skip history.
 *
 * What ends one subscriber's stream (its token revoked, its socket closed, its lifetime reached)
 * is per socket and closes that socket only; the execution ends when its last subscriber leaves.
 * What ends the execution (the workspace deleted, the membership removed: the same for every
 * sharer, since they share the access) ends every subscriber's stream.
 *
 * A subscriber on a socket (`Delivery`) has an event written to its socket by the execution
 * itself when graphql-ws is waiting for it: the `next` payload is serialized once per event and
 * each subscriber's message differs only in its id, byte for byte what graphql-ws writes (no
 * `onNext` hook is set). graphql-ws sees such a stream only end (its `complete` or `error`, after
 * every event written) and writes what else is the socket's own; an event that arrives while
 * graphql-ws is still sending the previous one is queued and goes through graphql-ws.
 */
import {
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  getOperationAST,
  Kind,
} from "graphql";
import { operationLabel, processMetrics } from "../metrics.js";
import type { TokenScope } from "../services/access-policy.js";

/** Root fields whose stream is a state: the latest event stands for everything before it. */
const SHAREABLE_FIELDS = new Set(["workspaceStatus"]);

type Opened = AsyncIterable<ExecutionResult> | ExecutionResult;

/** Where a subscriber's events may be written directly: its socket and operation id. */
export interface Delivery {
  socket: { readonly readyState: number; send(data: string): void };
  id: string;
}

/** WebSocket's OPEN readyState. */
const OPEN = 1;

/**
 * The `next` message graphql-ws writes for `result` (server.ts's emit.next: the result without
 * `errors`, then `errors` as JSON when there are some), up to the id: its payload's JSON.
 */
export function nextPayloadJson(result: ExecutionResult): string {
  const { errors, ...withoutErrors } = result;
  return JSON.stringify(
    errors ? { ...withoutErrors, errors: errors.map((error) => error.toJSON()) } : withoutErrors,
  );
}

/** graphql-ws's `next` message for operation `id` with a payload serialized by nextPayloadJson. */
export function nextMessage(id: string, payloadJson: string): string {
  return `{"id":${JSON.stringify(id)},"type":"next","payload":${payloadJson}}`;
}

/** Who asks for what: everything that decides what a subscription streams. */
export interface SharingRequest {
  userId: string;
  scope: TokenScope;
  query: string;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | null | undefined;
}

/**
 * The key under which a request may share an execution. Keyed by access, never by user alone:
 * two tokens of one user with different scopes may see different things.
 */
export function sharingKey(request: SharingRequest): string {
  return JSON.stringify([
    request.userId,
    request.scope.projectId?.toLowerCase() ?? null,
    request.scope.role,
    request.operationName ?? null,
    request.variables ?? null,
    request.query,
  ]);
}

/** Whether the operation is a subscription to a state stream (see SHAREABLE_FIELDS). */
export function isShareable(document: DocumentNode, operationName?: string | null): boolean {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== "subscription") return false;
  const [root, ...rest] = operation.selectionSet.selections;
  return rest.length === 0 && root?.kind === Kind.FIELD && SHAREABLE_FIELDS.has(root.name.value);
}

/** The running shared executions, by sharing key. */
export class SharedSubscriptions {
  readonly #executions = new Map<string, Execution>();

  /**
   * Joins the execution running under `key`, if there is one: its parsed and validated document
   * (the same text was checked when it started) and the stream, which starts with the
   * execution's latest event, then every later one. Attached synchronously, so the execution
   * cannot end unseen in between.
   */
  joinRunning(
    key: string,
    operationName?: string | null,
    delivery?: Delivery,
  ): { schema: GraphQLSchema; document: DocumentNode; stream: Promise<Opened> } | undefined {
    const execution = this.#executions.get(key);
    if (!execution) return undefined;
    // The first subscriber counted through the envelop plugin; those joining it count here.
    const operation = {
      operation: operationLabel(operationName ?? undefined),
      type: "subscription",
    };
    const stream = execution.attach(delivery).then((opened) => {
      if (!isStream(opened)) return opened;
      processMetrics.graphqlOperations.inc({ ...operation, result: "ok" });
      processMetrics.activeSubscriptions.inc();
      (opened as Subscriber).onEnd = () => processMetrics.activeSubscriptions.dec();
      return opened;
    });
    return { schema: execution.schema, document: execution.document, stream };
  }

  /**
   * Starts the execution of `document` under `key` with `open` (or joins the one started
   * meanwhile). A refusal (`open` answered a result, not a stream) is answered to whoever waited
   * for it and not kept.
   */
  start(
    key: string,
    schema: GraphQLSchema,
    document: DocumentNode,
    open: () => Promise<Opened>,
    operationName?: string | null,
    delivery?: Delivery,
  ): Promise<Opened> {
    const running = this.joinRunning(key, operationName, delivery);
    if (running) return running.stream;
    const created = new Execution(schema, document, open, key, this.#executions);
    this.#executions.set(key, created);
    return created.attach(delivery);
  }

  /** Executions running now (each serving one or more subscribers). */
  get size(): number {
    return this.#executions.size;
  }
}

class Execution {
  /**
   * Who is subscribed: the one subscriber alone (a distinct subscription, the common case), or a
   * Set once a second one joins.
   */
  #subscribers: Subscriber | Set<Subscriber> | undefined;
  readonly #opened: Promise<Opened>;
  #upstream: AsyncIterator<ExecutionResult> | undefined;
  #latest: ExecutionResult | undefined;
  #ended = false;

  constructor(
    readonly schema: GraphQLSchema,
    readonly document: DocumentNode,
    open: () => Promise<Opened>,
    /** Its key in `executions`, where it is found while it runs. */
    private readonly key: string,
    private readonly executions: Map<string, Execution>,
  ) {
    processMetrics.sharedSubscriptionExecutions.inc();
    this.#opened = open().then(
      (opened) => {
        if (!isStream(opened)) {
          this.#end(undefined);
          return opened;
        }
        this.#upstream = opened[Symbol.asyncIterator]();
        // Everyone left while it opened.
        if (this.#ended) void this.#upstream.return?.();
        else void this.#pump(this.#upstream);
        return opened;
      },
      (error: unknown) => {
        this.#end(error);
        throw error;
      },
    );
  }

  /** A subscriber, counted from now (so that the execution lives on while it waits to open). */
  async attach(delivery?: Delivery): Promise<Opened> {
    const subscriber = new Subscriber(this, delivery);
    if (this.#latest) subscriber.push(this.#latest);
    this.#add(subscriber);
    const opened = await this.#opened;
    if (!isStream(opened)) {
      this.#remove(subscriber);
      return opened;
    }
    return subscriber;
  }

  leave(subscriber: Subscriber): void {
    if (!this.#remove(subscriber) || this.#subscribers !== undefined || this.#ended) return;
    this.#ended = true;
    this.#forget();
    // Ends the watch (its bus listener and hold go); before it opened: once it has.
    void this.#upstream?.return?.();
  }

  async #pump(upstream: AsyncIterator<ExecutionResult>): Promise<void> {
    try {
      for (;;) {
        const step = await upstream.next();
        if (step.done || this.#ended) break;
        processMetrics.sharedSubscriptionEvents.inc();
        this.#latest = step.value;
        const event = new SharedEvent(step.value);
        const subscribers = this.#subscribers;
        if (subscribers instanceof Set)
          for (const subscriber of subscribers) subscriber.push(event);
        else subscribers?.push(event);
      }
      this.#end(undefined);
    } catch (error) {
      this.#end(error);
    }
  }

  #end(error: unknown): void {
    this.#ended = true;
    this.#forget();
    const subscribers = this.#subscribers;
    this.#subscribers = undefined;
    if (subscribers instanceof Set) for (const subscriber of subscribers) subscriber.finish(error);
    else subscribers?.finish(error);
  }

  /** Out of the map: later subscribers start a new execution. */
  #forget(): void {
    if (this.executions.get(this.key) === this) this.executions.delete(this.key);
  }

  #add(subscriber: Subscriber): void {
    const subscribers = this.#subscribers;
    if (subscribers === undefined) this.#subscribers = subscriber;
    else if (subscribers instanceof Set) subscribers.add(subscriber);
    else this.#subscribers = new Set([subscribers, subscriber]);
  }

  /** Whether `subscriber` was subscribed; `#subscribers` is undefined once nobody is. */
  #remove(subscriber: Subscriber): boolean {
    const subscribers = this.#subscribers;
    if (subscribers === subscriber) {
      this.#subscribers = undefined;
      return true;
    }
    if (!(subscribers instanceof Set) || !subscribers.delete(subscriber)) return false;
    if (subscribers.size === 0) this.#subscribers = undefined;
    return true;
  }
}

/** One event of an execution, its `next` payload serialized when first written. */
class SharedEvent {
  #json: string | undefined;

  constructor(readonly result: ExecutionResult) {}

  get json(): string {
    this.#json ??= nextPayloadJson(this.result);
    return this.#json;
  }
}

/** One subscriber's view of an execution: its own queue of results, in order. */
class Subscriber implements AsyncIterableIterator<ExecutionResult> {
  /** Results not yet read (allocated when one arrives before it is asked for). */
  #queue: ExecutionResult[] | undefined;
  #resolve: ((step: IteratorResult<ExecutionResult>) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;
  #finished = false;
  #left = false;
  #error: unknown;
  /** Called once, when the stream is over for this subscriber. */
  onEnd: (() => void) | undefined;

  constructor(
    private readonly execution: Execution,
    /** Where its events are written while its reader waits; none: every event is read. */
    private readonly delivery: Delivery | undefined,
  ) {}

  #over(): void {
    this.#left = true;
    const onEnd = this.onEnd;
    this.onEnd = undefined;
    onEnd?.();
  }

  push(pushed: ExecutionResult | SharedEvent): void {
    if (this.#left) return;
    const resolve = this.#resolve;
    // Its reader waits (nothing queued): written now, and the reader goes on waiting.
    if (resolve && this.delivery && pushed instanceof SharedEvent) {
      const { socket, id } = this.delivery;
      if (socket.readyState === OPEN) socket.send(nextMessage(id, pushed.json));
      return;
    }
    const result = pushed instanceof SharedEvent ? pushed.result : pushed;
    if (!resolve) {
      if (this.#queue) this.#queue.push(result);
      else this.#queue = [result];
      return;
    }
    this.#resolve = undefined;
    this.#reject = undefined;
    resolve({ value: result, done: false });
  }

  /** The execution ended: what is queued is still delivered, then done (or the error). */
  finish(error: unknown): void {
    this.#finished = true;
    this.#error = error;
    const { resolve, reject } = this.#take();
    if (error === undefined) resolve?.({ value: undefined, done: true });
    else reject?.(error);
  }

  /** The waiting reader's callbacks, now no longer waiting. */
  #take() {
    const taken = { resolve: this.#resolve, reject: this.#reject };
    this.#resolve = undefined;
    this.#reject = undefined;
    return taken;
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    const result = this.#queue?.shift();
    if (result) return Promise.resolve({ value: result, done: false });
    if (this.#left) return Promise.resolve({ value: undefined, done: true });
    if (this.#finished) {
      const error = this.#error;
      this.#error = undefined;
      this.#over();
      if (error === undefined) return Promise.resolve({ value: undefined, done: true });
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    if (!this.#left) {
      this.#over();
      this.#queue = undefined;
      this.execution.leave(this);
      this.#take().resolve?.({ value: undefined, done: true });
    }
    return { value: undefined, done: true };
  }

  throw(): Promise<IteratorResult<ExecutionResult>> {
    return this.return();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ExecutionResult> {
    return this;
  }
}

function isStream(opened: Opened): opened is AsyncIterable<ExecutionResult> {
  return typeof (opened as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === "function";
}
