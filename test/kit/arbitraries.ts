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
