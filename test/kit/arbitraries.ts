import fc from "fast-check";
import type { PrismaClient } from "../../src/db/client.js";

/** `undefined` `odds` times out of `odds + 1`; a value of `arbitrary` otherwise. */
export const rarely = <T>(arbitrary: fc.Arbitrary<T>, odds: number) =>
  fc.oneof(
    { weight: odds, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: arbitrary as fc.Arbitrary<T | undefined> },
  );

/**
 * Printable ASCII (what a header may carry) of any length from minLength to maxLength, the
 * bounds and `lengths` included: fast-check's own string lengths stay near 10 characters.
 */
export const printable = (maxLength: number, minLength = 0, lengths: number[] = []) =>
  fc
    .oneof(
      fc.integer({ min: minLength, max: maxLength }),
      fc.constantFrom(minLength, maxLength, ...lengths),
    )
    .chain((length) =>
      fc.string({
        unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
        minLength: length,
        maxLength: length,
      }),
    );

/**
 * Hardware (REST's names) that CONTRACT §4 accepts with `gpuKinds` on offer; cpu kind, cpus and
 * memory always set, volume and GPU left out now and then (the defaults fill them in).
 */
export const coherentHardware = (gpuKinds: readonly string[]) =>
  fc.constantFrom("shared", "performance").chain((kind) =>
    fc.constantFrom(1, 2, 4, 6, 8).chain((cpus) => {
      const [step, low, high] =
        kind === "shared"
          ? [256, 256 * cpus, Math.min(2048 * cpus, 16384)]
          : [1024, 2048 * cpus, Math.min(8192 * cpus, 16384)];
      return fc.record(
        {
          cpu_kind: fc.constant(kind),
          cpus: fc.constant(cpus),
          memory_mb: fc.integer({ min: low / step, max: high / step }).map((n) => n * step),
          volume_size_gb: fc.integer({ min: 1, max: 500 }),
          gpu_kind: kind === "performance" ? fc.constantFrom(null, ...gpuKinds) : fc.constant(null),
        },
        { requiredKeys: ["cpu_kind", "cpus", "memory_mb"] },
      );
    }),
  );

// ---------------------------------------------------------------------------------------------
// Running the fuzz suites (test/fuzz-*.test.ts): how many cases, which seed, how long to shrink.
// ---------------------------------------------------------------------------------------------

/** FC_SEED fixes the seed (fast-check prints the seed and path of a failure). */
export const FUZZ_SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : Date.now() % 2 ** 31;

/**
 * The cases one fuzz property runs on each database: `specific` (its own variable), else
 * FUZZ_CASES (one knob for every fuzz suite: FUZZ_CASES=5000 for a deep run), else `fallback`,
 * rounded up to whole batches. The defaults keep `npm test` short; CI or a nightly run raises them.
 */
export function fuzzCases(specific: string | undefined, fallback: number, batch: number): number {
  const wanted = Number(specific || process.env.FUZZ_CASES || fallback);
  return Math.max(1, Math.ceil(wanted / batch)) * batch;
}

/**
 * Runs after the first failure that still execute (FUZZ_SHRINK_RUNS, default 40). One run is a
 * batch of HTTP requests, and shrinking a 25-case batch to its smallest form takes hundreds of
 * them (minutes); the failing batch's own message already names each failing request.
 */
const SHRINK_RUNS = Number(process.env.FUZZ_SHRINK_RUNS ?? 40);

/**
 * `run` as a property predicate whose shrinking is bounded: once it has failed, SHRINK_RUNS more
 * candidates run; later ones pass unrun, so fast-check ends at once and reports the smallest
 * failing batch it had found (with that batch's error).
 */
export function boundedShrinking<T>(run: (value: T) => Promise<void>): (value: T) => Promise<void> {
  let failed = false;
  let left = SHRINK_RUNS;
  return async (value) => {
    if (failed) {
      if (left <= 0) return;
      left--;
    }
    try {
      await run(value);
    } catch (error) {
      failed = true;
      throw error;
    }
  };
}

/** Milliseconds spent per phase of a fuzz batch, for the suite's closing line (profiling). */
export class PhaseTimer {
  private readonly spent = new Map<string, number>();
  async time<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.spent.set(phase, (this.spent.get(phase) ?? 0) + performance.now() - start);
    }
  }
  toString(): string {
    return [...this.spent].map(([phase, ms]) => `${phase} ${(ms / 1000).toFixed(1)} s`).join(", ");
  }
}

/**
 * Sends a batch, then counts and removes in one statement the workspaces of these owners'
 * projects: every batch starts from none, so the rows removed are the rows the batch wrote,
 * wherever a bug might have put them. (Removed past the service: the engine's compare-and-set
 * skips a vanished row, and thousands of workspaces do not keep the lifecycle engine busy.)
 */
export async function sendCounting<T>(
  timer: PhaseTimer,
  prisma: PrismaClient,
  ownerIds: string[],
  send: () => Promise<T>,
): Promise<{ answers: T; written: number }> {
  const removeRows = () =>
    timer.time("count and remove", () =>
      prisma.workspace.deleteMany({ where: { project: { ownerId: { in: ownerIds } } } }),
    );
  let answers: T;
  try {
    answers = await timer.time("requests", send);
  } catch (error) {
    await removeRows();
    throw error;
  }
  return { answers, written: (await removeRows()).count };
}
