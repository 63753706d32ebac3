import fc from "fast-check";

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
