/**
 * Group commit: requests that arrive while a shared statement is in flight wait for it, then go
 * together in the next one. There is no timer: a lone request starts its statement at once, and
 * the batch grows only with the requests that would otherwise have queued for a connection. A
 * commit costs the same for one row as for a hundred, so under load the commits per row fall
 * while the latency of a request alone stays one statement.
 *
 * Each request gets its own answer. When a shared statement fails as a whole (a deadlock, a
 * value one row's constraint refused), its requests are run again one statement each, so that
 * the failure stays with the row that caused it.
 */

/** Runs one statement for `items`; answers in the same order (one per item). */
export type RunBatch<In, Out> = (items: readonly In[]) => Promise<Out[]>;

interface Waiting<In, Out> {
  item: In;
  resolve(value: Out): void;
  reject(error: unknown): void;
}

export interface GroupCommitOptions {
  /** Rows per statement at most; more waiting go in the statements after (default 256). */
  maxBatch?: number;
  /** Statements in flight at once (default 1: the next batch forms while one commits). */
  maxInFlight?: number;
}

/** Rows per shared statement: enough to share a commit widely, small enough to plan quickly. */
export const GROUP_COMMIT_MAX_BATCH = 256;

export class GroupCommit<In, Out> {
  private queue: Waiting<In, Out>[] = [];
  private inFlight = 0;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  /** Statements run and rows they carried (tests and the bench read these). */
  readonly stats = { statements: 0, rows: 0, largest: 0 };

  constructor(
    private readonly run: RunBatch<In, Out>,
    options: GroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? GROUP_COMMIT_MAX_BATCH;
    this.maxInFlight = options.maxInFlight ?? 1;
  }

  /** Requests waiting for the next statement (not counting the one in flight). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Joins the next shared statement (or starts one at once when none is in flight). */
  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  private async flush(batch: Waiting<In, Out>[]): Promise<void> {
    this.stats.statements++;
    this.stats.rows += batch.length;
    this.stats.largest = Math.max(this.stats.largest, batch.length);
    try {
      const answers = await this.run(batch.map((waiting) => waiting.item));
      if (answers.length !== batch.length) {
        throw new Error(`a shared statement answered ${answers.length} of ${batch.length} rows`);
      }
      for (const [i, waiting] of batch.entries()) waiting.resolve(answers[i] as Out);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      // Alone, each row meets only its own failure (or none: a deadlock was the batch's).
      await Promise.all(
        batch.map(async (waiting) => {
          try {
            const [answer] = await this.run([waiting.item]);
            waiting.resolve(answer as Out);
          } catch (own) {
            waiting.reject(own);
          }
        }),
      );
    }
  }
}
