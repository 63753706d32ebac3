/**
 * Property-based fuzzing of `POST /projects/:id/workspaces` (CONTRACT §2, §4) over real HTTP:
 * generated bodies (valid, almost valid, garbage, malformed JSON text, non-objects, too large),
 * paths (own, someone else's, missing and non-UUID project ids) and headers (Authorization,
 * Content-Type and Idempotency-Key variants). For every answer:
 *
 * - 2xx or 4xx, never 5xx, with the documented body: the workspace object with exactly the
 *   documented keys, or `{"error": string, "details"?: [{field, message}]}`;
 * - the outcome the contract gives when the request is unambiguous: 401 without a valid token,
 *   404 (one identical body) for a project that is not the caller's, 400 naming exactly the
 *   fields an independent model of §4 (hardware) and §8 (auto_stop_minutes, max_run_minutes,
 *   auto_delete_minutes, labels, and keep_active agreeing with auto_stop_minutes) finds wrong,
 *   201 with every documented key (§2 and §8) for the rest;
 * - no rejected request writes a row: per batch, the rows of both users grow by exactly the new
 *   workspaces answered with 201.
 *
 * FC_SEED fixes the seed; FUZZ_CASES (or FUZZ_REST_CASES) sets the cases per database (default
 * below); FUZZ_SHRINK_RUNS bounds shrinking (test/kit/arbitraries.ts).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  boundedShrinking,
  coherentHardware as coherentHardwareOf,
  FUZZ_SEED,
  fuzzCases,
  PhaseTimer,
  printable,
  rarely,
  sendCounting as sendCountingRows,
} from "./kit/arbitraries.js";
import { databaseTargets } from "./kit/database.js";
import { HARDWARE_KEYS, restClient, WORKSPACE_KEYS } from "./kit/rest.js";
import { type SeededUser, seedUser } from "./kit/seed.js";
import { useServer } from "./kit/server.js";

const BATCH = 25;
/**
 * Per database, and the same cases on each (one seed: a failure's seed reproduces on both). The
 * default keeps the file near half a minute; FUZZ_CASES=10000 or more for a deep run.
 */
const CASES_PER_TARGET = fuzzCases(process.env.FUZZ_REST_CASES, 1000, BATCH);
const GPU_KINDS = ["a10g", "l4"];
const targets = databaseTargets.filter((target) => !target.skip);
const SYSTEM_DEFAULT = {
  cpu_kind: "shared",
  cpus: 2,
  memory_mb: 2048,
  volume_size_gb: 10,
  gpu_kind: null,
};
const STATUSES = ["creating", "starting", "running", "stopping", "stopped", "error", "stop_failed"];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LEAKS =
  /\bat \S.*\.(?:[cm]?js|ts):\d+:\d+|prisma|postgres|pglite|SELECT |INSERT |violates|stack|TypeError/i;

// ---------------------------------------------------------------------------------------------
// The model: CONTRACT §2 (body shape) and §4 (hardware rules), written from the contract.
// ---------------------------------------------------------------------------------------------

const HW_FIELDS = ["cpu_kind", "cpus", "memory_mb", "volume_size_gb", "gpu_kind"];
/** §8's workspace policies: whole minutes from 0 to these; null or left out is the default. */
const MINUTES_MAX: Record<string, number> = {
  auto_stop_minutes: 10_080,
  max_run_minutes: 43_200,
  auto_delete_minutes: 43_200,
};
const MINUTES_KEYS = Object.keys(MINUTES_MAX);
const BODY_KEYS = ["hardware", "keep_active", "labels", ...MINUTES_KEYS];
const own = (object: object, key: string) => Object.hasOwn(object, key);
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isInt = (value: unknown) => typeof value === "number" && Number.isSafeInteger(value);

/** What the body is, read as the contract reads it. */
type BodyVerdict =
  | { kind: "malformed" } // not JSON: 400
  | { kind: "not-object" } // 400, no field
  | { kind: "shape"; fields: Set<string> } // unknown keys, wrong types: 400 naming them
  | { kind: "rules"; fields: Set<string>; maybe: Set<string> } // §4 broken: 400 naming them
  | { kind: "valid" };

function judgeBody(text: string | undefined): BodyVerdict {
  let body: unknown = {};
  if (text !== undefined && text.trim() !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      return { kind: "malformed" };
    }
  }
  if (!isObject(body)) return { kind: "not-object" };
  const fields = new Set<string>();
  let rootKey = false;
  for (const key of Object.keys(body)) {
    // An unknown key "" is the body's own field: an error, but no field to name in details.
    if (key === "") rootKey = true;
    else if (!BODY_KEYS.includes(key)) fields.add(key);
  }
  if (own(body, "keep_active") && typeof body.keep_active !== "boolean") fields.add("keep_active");
  for (const key of MINUTES_KEYS) {
    const value = body[key];
    if (
      own(body, key) &&
      value !== null &&
      !(typeof value === "number" && Number.isFinite(value))
    ) {
      fields.add(key);
    }
  }
  const labels = own(body, "labels") ? body.labels : null;
  if (labels !== null && !isObject(labels)) fields.add("labels");
  else if (labels !== null) {
    for (const [key, value] of Object.entries(labels)) {
      if (typeof value !== "string") fields.add(`labels.${key}`);
    }
  }
  const hardware = own(body, "hardware") ? body.hardware : undefined;
  const given: Record<string, unknown> = {};
  if (hardware !== undefined && hardware !== null) {
    if (!isObject(hardware)) {
      fields.add("hardware");
    } else {
      for (const key of Object.keys(hardware)) {
        if (!HW_FIELDS.includes(key)) fields.add(`hardware.${key}`);
        else given[key] = hardware[key];
      }
      if (own(given, "cpu_kind") && !["shared", "performance"].includes(given.cpu_kind as string)) {
        fields.add("hardware.cpu_kind");
      }
      for (const key of ["cpus", "memory_mb", "volume_size_gb"]) {
        if (own(given, key) && !isInt(given[key])) fields.add(`hardware.${key}`);
      }
      if (own(given, "gpu_kind") && given.gpu_kind !== null && typeof given.gpu_kind !== "string") {
        fields.add("hardware.gpu_kind");
      }
    }
  }
  if (fields.size > 0 || rootKey) return { kind: "shape", fields };
  // The hardware is judged first: a request with bad hardware hears about its hardware only.
  const hardwareVerdict = judgeHardware({ ...SYSTEM_DEFAULT, ...given });
  if (hardwareVerdict.kind !== "valid") return hardwareVerdict;
  return judgePolicy(body);
}

/** §8 on a body of the right types: the minutes' bounds, keep_active against them, labels. */
function judgePolicy(body: Record<string, unknown>): BodyVerdict {
  const fields = new Set<string>();
  for (const key of MINUTES_KEYS) {
    const value = body[key];
    if (typeof value !== "number") continue;
    if (!Number.isInteger(value) || value < 0 || value > (MINUTES_MAX[key] as number))
      fields.add(key);
  }
  const autoStop = body.auto_stop_minutes;
  if (typeof body.keep_active === "boolean" && typeof autoStop === "number") {
    if (body.keep_active !== (autoStop === 0)) fields.add("keep_active");
  }
  const labels = isObject(body.labels) ? (body.labels as Record<string, string>) : {};
  const entries = Object.entries(labels);
  if (
    entries.length > 32 ||
    entries.some(([key, value]) => !labelKeyValid(key) || !(value === "" || labelNameValid(value)))
  ) {
    fields.add("labels");
  }
  return fields.size > 0 ? { kind: "rules", fields, maybe: new Set() } : { kind: "valid" };
}

/** A label's name, or a value that is not empty: 1 to 63 of [A-Za-z0-9-_.], alphanumeric ends. */
const labelNameValid = (name: string) =>
  name.length <= 63 && /^[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/.test(name);

/** A label key: an optional DNS-subdomain prefix (at most 253 characters) and "/", then a name. */
function labelKeyValid(key: string): boolean {
  const slash = key.indexOf("/");
  if (slash === -1) return labelNameValid(key);
  const prefix = key.slice(0, slash);
  return (
    prefix.length <= 253 &&
    /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(prefix) &&
    labelNameValid(key.slice(slash + 1))
  );
}

/** §4 on merged hardware of the right types. `maybe`: a rule the contract leaves open. */
function judgeHardware(hw: Record<string, unknown>): BodyVerdict {
  const fields = new Set<string>();
  const maybe = new Set<string>();
  const cpus = hw.cpus as number;
  const memory = hw.memory_mb as number;
  const volume = hw.volume_size_gb as number;
  const shared = hw.cpu_kind === "shared";
  const cpusValid = [1, 2, 4, 6, 8].includes(cpus);
  if (!cpusValid) fields.add("hardware.cpus");
  const step = shared ? 256 : 1024;
  if (memory < 256 || memory > 16384 || memory % step !== 0) {
    fields.add("hardware.memory_mb");
  } else if (!cpusValid) {
    // Whether memory is also wrong for a cpu count that does not exist is not the contract's.
    maybe.add("hardware.memory_mb");
  } else {
    const [low, high] = shared ? [256 * cpus, 2048 * cpus] : [2048 * cpus, 8192 * cpus];
    if (memory < low || memory > high) fields.add("hardware.memory_mb");
  }
  if (volume < 1 || volume > 500) fields.add("hardware.volume_size_gb");
  if (hw.gpu_kind !== null && (!GPU_KINDS.includes(hw.gpu_kind as string) || shared)) {
    fields.add("hardware.gpu_kind");
  }
  return fields.size > 0 ? { kind: "rules", fields, maybe } : { kind: "valid" };
}

// ---------------------------------------------------------------------------------------------
// Generators. Bodies are JSON *text*, so that duplicate keys, __proto__, 1e400 and -0 reach
// the server as written; the model parses the same text.
// ---------------------------------------------------------------------------------------------

const junk: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("null", "true", "false", "[]", "{}", '"2"', '"two"', "[2]", '{"value": 2}', '""'),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc.integer({ min: 1, max: 3000 }).map((depth) => `${"[".repeat(depth)}${"]".repeat(depth)}`),
  fc.integer({ min: 1, max: 500 }).map((depth) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`),
);

const oddNumber = fc.constantFrom(
  "2.5",
  "0.5",
  "2.0",
  "1e3",
  "4e0",
  "1E1",
  "-0",
  "1e400",
  "-1e400",
  "9007199254740993",
  "1e21",
  "2147483648",
  "-2147483649",
  "1.0000000000000002",
  "1e-7",
  "256.0",
  "-256",
);

const intField = (valid: fc.Arbitrary<number>) =>
  fc.oneof(
    { weight: 8, arbitrary: valid.map(String) },
    { weight: 2, arbitrary: fc.integer({ min: -5, max: 20000 }).map(String) },
    { weight: 2, arbitrary: oddNumber },
    { weight: 1, arbitrary: fc.integer().map((n) => JSON.stringify(String(n))) },
    { weight: 1, arbitrary: junk },
  );

const unknownKey = fc.oneof(
  fc.constantFrom(
    "__proto__",
    "constructor",
    "toString",
    "hasOwnProperty",
    "cpu",
    "CPUS",
    "memoryMb",
    "keepActive",
    "autoStopMinutes",
    "cpu_kind ",
    "",
  ),
  printable(12),
);

const hardwareFields: Record<string, fc.Arbitrary<string>> = {
  cpu_kind: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('"shared"', '"performance"') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('"SHARED"', '"Shared"', '"gpu"', '""', '" shared"'),
    },
    { weight: 1, arbitrary: junk },
  ),
  cpus: intField(fc.constantFrom(1, 2, 4, 6, 8)),
  memory_mb: intField(
    fc.oneof(
      fc.integer({ min: 1, max: 66 }).map((n) => n * 256),
      fc.integer({ min: 1, max: 17 }).map((n) => n * 1024),
    ),
  ),
  volume_size_gb: intField(fc.oneof(fc.integer({ min: 0, max: 501 }), fc.constantFrom(1, 500))),
  gpu_kind: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom("null", '"a10g"', '"l4"') },
    { weight: 2, arbitrary: fc.constantFrom('"h100"', '""', '"A10G"', '"a10g "') },
    { weight: 1, arbitrary: junk },
  ),
};

type Entry = [key: string, jsonText: string];
const objectText = (entries: Entry[]) =>
  `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(",")}}`;

const coherentHardware = coherentHardwareOf(GPU_KINDS);

const coherentText = coherentHardware.map((hardware) =>
  objectText(Object.entries(hardware).map(([key, value]): Entry => [key, JSON.stringify(value)])),
);

/** Accepted hardware with one field's text replaced by any value's. */
const nearText = coherentHardware.chain((hardware) =>
  fc
    .constantFrom(...HW_FIELDS)
    .chain((field) =>
      (hardwareFields[field] as fc.Arbitrary<string>).map((text) =>
        objectText(
          Object.entries({ ...hardware, [field]: null }).map(
            ([key, value]): Entry => [key, key === field ? text : JSON.stringify(value)],
          ),
        ),
      ),
    ),
);

/** Some of the five fields, now and then an unknown key; duplicates possible (last one wins). */
const anyHardwareText = fc
  .tuple(
    fc.subarray(HW_FIELDS),
    rarely(fc.array(fc.tuple(unknownKey, junk), { minLength: 1, maxLength: 2 }), 5),
  )
  .chain(([known, unknown]) =>
    fc
      .tuple(...known.map((key) => hardwareFields[key] as fc.Arbitrary<string>))
      .map((values) =>
        objectText([
          ...known.map((key, i): Entry => [key, values[i] as string]),
          ...(unknown ?? []),
        ]),
      ),
  );

/** Minutes up to `max`: the bounds and just past them often, any other number now and then. */
const minutesText = (max: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom("0", "1", "null", String(max), String(max + 1), "-1") },
    { weight: 2, arbitrary: fc.integer({ min: -2, max: max + 2 }).map(String) },
    {
      weight: 2,
      arbitrary: fc.constantFrom("2.5", "1e3", "-0", "1e400", '"10"', "true", "[]", "{}"),
    },
  );

const labelKey = fc.constantFrom(
  "team",
  "a",
  "a.b_c-D9",
  "example.com/app",
  "x".repeat(63),
  `${"p".repeat(253)}/n`,
  "-bad",
  "bad-",
  "x".repeat(64),
  `${"p".repeat(254)}/n`,
  "Example.com/app",
  "",
  "a b",
  "bad/",
  "/x",
  "a/b/c",
  "é",
);

const labelValue = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom('"core"', '""', '"v1.2_3-x"', JSON.stringify("x".repeat(63))),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom('"bad value"', '"-x"', JSON.stringify("x".repeat(64)), '"x/"'),
  },
  { weight: 1, arbitrary: fc.constantFrom("1", "null", "true", "[]", "{}") },
);

/** Labels: a few keys and values valid or not, 32 or 33 of them now and then, or not an object. */
const labelsText = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.array(fc.tuple(labelKey, labelValue), { maxLength: 4 }).map(objectText),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(32, 33)
      .map((n) => objectText(Array.from({ length: n }, (_, i): Entry => [`k${i}`, '"v"']))),
  },
  { weight: 1, arbitrary: fc.constantFrom("null", "[]", '"team=core"', "5", "true") },
);

const structuredBody = fc
  .record(
    {
      hardware: fc.oneof(
        { weight: 10, arbitrary: coherentText },
        { weight: 10, arbitrary: nearText },
        { weight: 6, arbitrary: anyHardwareText },
        { weight: 1, arbitrary: fc.constant("null") },
        { weight: 1, arbitrary: junk },
      ),
      keep_active: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom("true", "false") },
        { weight: 1, arbitrary: fc.constantFrom('"true"', "1", "0", "null", '"yes"') },
      ),
      // §8's keys in half of the bodies, each a third of the time there (201s stay common).
      policies: rarely(
        fc.record({
          auto_stop_minutes: rarely(minutesText(10_080), 2),
          max_run_minutes: rarely(minutesText(43_200), 2),
          auto_delete_minutes: rarely(minutesText(43_200), 2),
          labels: rarely(labelsText, 2),
        }),
        1,
      ),
      unknown: rarely(fc.array(fc.tuple(unknownKey, junk), { minLength: 1, maxLength: 2 }), 10),
    },
    { requiredKeys: ["policies", "unknown"] },
  )
  .map(({ hardware, keep_active, policies, unknown }) =>
    objectText([
      ...(hardware !== undefined ? [["hardware", hardware] as Entry] : []),
      ...(keep_active !== undefined ? [["keep_active", keep_active] as Entry] : []),
      ...Object.entries(policies ?? {}).filter((entry): entry is Entry => entry[1] !== undefined),
      ...(unknown ?? []),
    ]),
  );

/** Stands for a body over the 1 MiB limit (built when sent: counterexamples stay readable). */
const HUGE_BODY = "<a JSON body of 1.1 MB>";
const hugeBody = () => `{"keep_active": true, "padding": "${"x".repeat(1_100_000)}"}`;

/** The body text; undefined: no body at all. */
const bodyText: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 30, arbitrary: structuredBody },
  { weight: 2, arbitrary: fc.constantFrom(undefined, "", "  \n", "{}", "{ }") },
  {
    weight: 3,
    arbitrary: fc.oneof(
      fc.constantFrom("[]", '[{"hardware": {}}]', "null", "42", '"hardware"', "true", "-0"),
      fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
    ),
  },
  {
    weight: 3,
    arbitrary: fc.oneof(
      fc.constantFrom(
        "{",
        '{"hardware":',
        "{hardware: {}}",
        "{'keep_active': true}",
        '{"keep_active": true,}',
        '{"a":1}}',
        "NaN",
        "undefined",
        "\u0000",
        '{"keep_active": tru}',
        "\ufeff{}",
        '{"hardware": {"cpus": 01}}',
        '{"hardware": {"cpus": .5}}',
        '{"hardware": {"cpus": +2}}',
        '{"hardware": {"cpus": Infinity}}',
      ),
      fc
        .tuple(structuredBody, fc.nat())
        .map(([text, cut]) => text.slice(0, Math.max(1, cut % text.length))),
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
    ),
  },
  { weight: 1, arbitrary: fc.constant(HUGE_BODY) },
);

/** The Content-Type header (null: none at all); json: whether the route must take it as JSON. */
const contentType = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.constantFrom(
      { header: "application/json", json: true as boolean | undefined },
      { header: "application/json; charset=utf-8", json: true },
    ),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      { header: null, json: false },
      { header: "text/plain", json: false },
      { header: "application/x-www-form-urlencoded", json: false },
      { header: "multipart/form-data; boundary=x", json: false },
      { header: "application/xml", json: false },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constantFrom(
        { header: "APPLICATION/JSON", json: undefined as boolean | undefined },
        { header: "application/json; charset=latin1", json: undefined },
        { header: "application/json;", json: undefined },
        { header: "application/vnd.api+json", json: undefined },
        { header: "application/json, text/plain", json: undefined },
        { header: "", json: undefined },
      ),
      printable(40).map((header) => ({ header, json: undefined as boolean | undefined })),
    ),
  },
);

type Who = "own" | "other" | "nobody" | "unsure";
type AuthVariant = { kind: string; who: Who };

const authorization = fc.oneof(
  { weight: 24, arbitrary: fc.constant<AuthVariant>({ kind: "own", who: "own" }) },
  { weight: 2, arbitrary: fc.constant<AuthVariant>({ kind: "other", who: "other" }) },
  {
    weight: 4,
    arbitrary: fc.constantFrom<AuthVariant>(
      { kind: "none", who: "nobody" },
      { kind: "revoked", who: "nobody" },
      { kind: "bare-scheme", who: "nobody" },
      { kind: "basic", who: "nobody" },
      { kind: "token-scheme", who: "nobody" },
      { kind: "longer", who: "nobody" },
      { kind: "shorter", who: "nobody" },
      { kind: "two-tokens", who: "nobody" },
      { kind: "lowercase-scheme", who: "unsure" },
      { kind: "double-space", who: "unsure" },
      { kind: "garbage", who: "nobody" },
    ),
  },
);

const projectPath = fc.oneof(
  { weight: 20, arbitrary: fc.constant({ kind: "own", id: "" }) },
  { weight: 2, arbitrary: fc.constant({ kind: "foreign", id: "" }) },
  { weight: 2, arbitrary: fc.uuid().map((id) => ({ kind: "missing", id })) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.constantFrom(
          "not-a-uuid",
          "00000000-0000-0000-0000-00000000000g",
          "00000000000000000000000000000000",
          "%00",
          "...",
          "1",
          "'; DROP TABLE workspaces; --",
          "x".repeat(2000),
        ),
        printable(60, 1),
        fc.uuid().map((id) => `${id}0`),
      )
      // "." and ".." are dot-segments: the URL would name another route, not a project.
      .filter((id) => !/^\.{1,2}$/.test(id))
      .map((id) => ({ kind: "bad", id })),
  },
);

const idempotencyKey = fc.oneof(
  { weight: 10, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constantFrom("k-1", "k-2", "k-3") },
  { weight: 3, arbitrary: printable(300, 0, [1, 254, 255, 256]) },
);

const requestCase = fc.record({
  auth: authorization,
  authGarbage: printable(80),
  path: projectPath,
  contentType,
  body: bodyText,
  idempotencyKey,
});
interface RequestCase {
  auth: AuthVariant;
  authGarbage: string;
  path: { kind: string; id: string };
  contentType: { header: string | null; json: boolean | undefined };
  body: string | undefined;
  idempotencyKey: string | undefined;
}

// ---------------------------------------------------------------------------------------------

/** What a case expects: the statuses allowed, and for a 400 the fields its details may name. */
interface Expected {
  statuses: number[];
  /** For a 400: the details' fields must include all of `fields`, and be within fields ∪ maybe. */
  fields?: { fields: Set<string>; maybe: Set<string> };
  reason: string;
}

function expectedOutcome(c: RequestCase, keySeenBefore: boolean): Expected | null {
  if (c.auth.who === "nobody") return { statuses: [401], reason: "no valid token" };
  if (c.auth.who === "unsure") return null;
  if (c.body === HUGE_BODY) {
    return { statuses: c.contentType.json ? [413] : [413, 415], reason: "over 1 MiB" };
  }
  const empty = c.body === undefined || c.body === "";
  if (c.contentType.json === false && !empty) {
    return { statuses: [415], reason: "not JSON" };
  }
  const expected = expectedForJson(c, keySeenBefore);
  // A Content-Type the contract leaves open ("", "APPLICATION/JSON", charset=latin1, junk):
  // taken as JSON or refused as unsupported.
  if (c.contentType.json === undefined) {
    return {
      ...expected,
      statuses: [...expected.statuses, 415],
      reason: `${expected.reason}, or 415`,
    };
  }
  return expected;
}

/** What a case whose body the route reads as JSON expects. */
function expectedForJson(c: RequestCase, keySeenBefore: boolean): Expected {
  const verdict = judgeBody(c.body);
  const trimmedKey = c.idempotencyKey?.trim();
  const keyValid = trimmedKey === undefined || (trimmedKey.length >= 1 && trimmedKey.length <= 255);
  const mine =
    (c.path.kind === "own" && c.auth.who === "own") ||
    (c.path.kind === "foreign" && c.auth.who === "other");
  // A key used before may be answered as a replay (201), in flight (409) or reused (422).
  const keyed = trimmedKey !== undefined && keySeenBefore ? [409, 422] : [];

  if (verdict.kind === "malformed" || verdict.kind === "not-object") {
    return {
      statuses: mine ? [400] : [400, 404],
      fields: { fields: new Set(), maybe: new Set() },
      reason: verdict.kind,
    };
  }
  if (verdict.kind === "shape") {
    return {
      statuses: mine ? [400] : [400, 404],
      fields: { fields: verdict.fields, maybe: new Set(keyValid ? [] : ["Idempotency-Key"]) },
      reason: `shape: ${[...verdict.fields].join(", ")}`,
    };
  }
  if (!keyValid) {
    return {
      statuses: [400, ...(mine ? [] : [404])],
      fields: {
        fields: new Set(verdict.kind === "rules" ? [] : ["Idempotency-Key"]),
        maybe: new Set([
          "Idempotency-Key",
          ...(verdict.kind === "rules" ? [...verdict.fields, ...verdict.maybe] : []),
        ]),
      },
      reason: "Idempotency-Key of a bad length",
    };
  }
  if (verdict.kind === "rules") {
    // Whether the hardware or the project is checked first is not the contract's; either
    // answer is the same for a missing project and someone else's (no existence leak).
    return {
      statuses: [400, ...(mine ? [] : [404]), ...keyed],
      fields: { fields: verdict.fields, maybe: verdict.maybe },
      reason: `rules: ${[...verdict.fields].join(", ")}`,
    };
  }
  if (!mine) return { statuses: [404, ...keyed], reason: "not the caller's project" };
  return { statuses: [201, ...keyed], reason: "valid" };
}

describe.each(targets)("fuzzing POST /projects/:id/workspaces on $name", (target) => {
  const server = useServer(target.open, {
    GPU_KINDS: GPU_KINDS.join(","),
    RATE_LIMIT_PER_MINUTE: "0",
    CREATE_RATE_LIMIT_PER_MINUTE: "0",
    WORKSPACE_QUOTA: "0",
    // A batch is 25 requests in flight, most from one token: the per-token caps would answer
    // some of them 429 depending on timing, which no model can predict. Off here; the caps have
    // their own n / n+1 tests (test/fairness.test.ts).
    MAX_CONCURRENT_REQUESTS_PER_TOKEN: "0",
    MAX_STREAMS_PER_TOKEN: "0",
    // FUZZ_LOG_LEVEL=error shows what the server logged for a failing case.
    LOG_LEVEL: process.env.FUZZ_LOG_LEVEL ?? "silent",
  });
  let me: SeededUser;
  let other: SeededUser;
  let revokedToken: string;
  let notFoundBody: string;
  const counts = { cases: 0, batches: 0, byStatus: new Map<number, number>() };
  const timer = new PhaseTimer();

  beforeAll(async () => {
    me = await seedUser(server.services, "fuzz-rest");
    other = await seedUser(server.services, "fuzz-rest-other");
    const revoked = await server.services.tokens.issue(me.user.id);
    revokedToken = revoked.token;
    const api = restClient(server.url);
    expect((await server.services.tokens.revoke(revokedToken)).ok).toBe(true);
    expect((await api.get("/user/settings", { token: revokedToken })).status).toBe(401);
    const missing = await api.post("/projects/00000000-0000-4000-8000-000000000000/workspaces", {
      token: me.token,
    });
    expect(missing.status, missing.text).toBe(404);
    notFoundBody = missing.text;
  });

  afterAll(() => {
    const statuses = [...counts.byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status}: ${n}`)
      .join(", ");
    console.log(
      `fuzz-rest on ${target.name}: ${counts.cases} cases in ${counts.batches} batches (seed ${FUZZ_SEED}; ${statuses}; ${timer})`,
    );
  });

  function authHeader(c: RequestCase): string | undefined {
    switch (c.auth.kind) {
      case "own":
        return `Bearer ${me.token}`;
      case "other":
        return `Bearer ${other.token}`;
      case "none":
        return undefined;
      case "revoked":
        return `Bearer ${revokedToken}`;
      case "bare-scheme":
        return "Bearer";
      case "basic":
        return `Basic ${Buffer.from("user:pass").toString("base64")}`;
      case "token-scheme":
        return `Token ${me.token}`;
      case "longer":
        return `Bearer ${me.token}x`;
      case "shorter":
        return `Bearer ${me.token.slice(0, -1)}`;
      case "two-tokens":
        return `Bearer ${me.token} ${me.token}`;
      case "lowercase-scheme":
        return `bearer ${me.token}`;
      case "double-space":
        return `Bearer  ${me.token}`;
      default:
        return `Bearer ${c.authGarbage}`;
    }
  }

  async function send(c: RequestCase, projectId: string) {
    const id =
      c.path.kind === "own"
        ? projectId
        : c.path.kind === "foreign"
          ? other.project.id
          : encodeURIComponent(c.path.id);
    const headers: Record<string, string> = {};
    const auth = authHeader(c);
    if (auth !== undefined) headers.authorization = auth;
    if (c.contentType.header !== null) headers["content-type"] = c.contentType.header;
    if (c.idempotencyKey !== undefined) headers["idempotency-key"] = c.idempotencyKey;
    // A Uint8Array body: fetch adds no Content-Type of its own.
    const sent = c.body === HUGE_BODY ? hugeBody() : c.body;
    const body = sent === undefined ? undefined : new TextEncoder().encode(sent);
    const response = await fetch(`${server.url}/projects/${id}/workspaces`, {
      method: "POST",
      headers,
      body,
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  type Answer = Awaited<ReturnType<typeof send>>;

  /** The documented body for the answer's status; a message for each way it is not. */
  function checkAnswer(answer: Answer, projectIds: string[]): string[] {
    const problems: string[] = [];
    const { status, json } = answer;
    if (status < 200 || status >= 500) problems.push(`status ${status}`);
    if (!/^application\/json/.test(answer.headers.get("content-type") ?? "")) {
      problems.push(`content-type ${answer.headers.get("content-type")}`);
    }
    if (status === 201) {
      if (!isObject(json)) return [...problems, "201 without a JSON object"];
      if (JSON.stringify(Object.keys(json).sort()) !== JSON.stringify(WORKSPACE_KEYS)) {
        problems.push(`workspace keys ${Object.keys(json).sort().join(",")}`);
      }
      const hardware = json.hardware;
      if (
        !isObject(hardware) ||
        JSON.stringify(Object.keys(hardware).sort()) !== JSON.stringify(HARDWARE_KEYS)
      ) {
        problems.push("hardware keys");
      } else if (judgeHardware(hardware).kind !== "valid") {
        problems.push(`stored hardware breaks §4: ${JSON.stringify(hardware)}`);
      }
      if (typeof json.id !== "string" || !UUID.test(json.id)) problems.push("id");
      if (!projectIds.includes(json.project_id as string)) {
        problems.push(`project_id ${json.project_id} is not the requested project`);
      }
      if (!STATUSES.includes(json.status as string)) problems.push(`status ${json.status}`);
      if (answer.headers.get("idempotent-replayed") === null && json.status !== "creating") {
        problems.push(`a new workspace in status ${json.status}`);
      }
      if (typeof json.keep_active !== "boolean") problems.push("keep_active");
      if (!/^ptk_[A-Za-z0-9_-]{22,}$/.test(String(json.preview_token))) problems.push("token");
      for (const stamp of [json.created_at, json.updated_at]) {
        if (typeof stamp !== "string" || new Date(stamp).toISOString() !== stamp) {
          problems.push(`timestamp ${stamp}`);
        }
      }
      if (answer.headers.get("location") !== `/workspaces/${json.id}`) problems.push("location");
      return problems;
    }
    if (!isObject(json)) return [...problems, "error body is not a JSON object"];
    const keys = Object.keys(json);
    if (!keys.includes("error") || keys.some((key) => key !== "error" && key !== "details")) {
      problems.push(`error body keys ${keys.join(",")}`);
    }
    if (typeof json.error !== "string" || json.error.length === 0) problems.push("error message");
    if (LEAKS.test(answer.text)) problems.push("internal text in the error");
    if (json.details !== undefined) {
      if (status !== 400) problems.push(`details on a ${status}`);
      if (
        !Array.isArray(json.details) ||
        json.details.length === 0 ||
        !json.details.every(
          (detail: unknown) =>
            isObject(detail) &&
            Object.keys(detail).sort().join(",") === "field,message" &&
            typeof detail.field === "string" &&
            typeof detail.message === "string" &&
            detail.message.length > 0,
        )
      ) {
        problems.push("details are not [{field, message}]");
      }
    }
    if (status === 401 && !/^Bearer\b/.test(answer.headers.get("www-authenticate") ?? "")) {
      problems.push("401 without a Bearer challenge");
    }
    return problems;
  }

  function checkExpected(answer: Answer, expected: Expected | null): string[] {
    if (expected === null) return [];
    if (!expected.statuses.includes(answer.status)) {
      return [`expected ${expected.statuses.join(" or ")} (${expected.reason})`];
    }
    if (answer.status === 404 && answer.text !== notFoundBody) {
      return [`a 404 unlike the one for a missing project: ${notFoundBody}`];
    }
    if (answer.status === 400 && expected.fields) {
      const details = (answer.json as { details?: { field: string }[] }).details ?? [];
      const got = new Set(details.map((detail) => detail.field));
      const { fields, maybe } = expected.fields;
      const missing = [...fields].filter((field) => !got.has(field));
      const extra = [...got].filter((field) => !fields.has(field) && !maybe.has(field));
      if (missing.length > 0 || extra.length > 0) {
        return [
          `details name [${[...got].join(", ")}], the contract [${[...fields].join(", ")}]` +
            (maybe.size > 0 ? ` (or also [${[...maybe].join(", ")}])` : ""),
        ];
      }
    }
    return [];
  }

  /** A batch sent and the rows it wrote counted (and removed): kit/arbitraries.ts. */
  const sendCounting = <T>(send: () => Promise<T>) =>
    sendCountingRows(timer, server.database.prisma, [me.user.id, other.user.id], send);

  const createdIds = new Set<string>();
  const keysSent = new Set<string>();

  it(`answers ${CASES_PER_TARGET} generated requests as documented, writing rows only for 201s`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(requestCase, { minLength: BATCH, maxLength: BATCH }),
        boundedShrinking(async (batch) => {
          // A fresh project per batch: nothing accumulates where the batch creates.
          const project = await timer.time("project", () =>
            server.services.projects.create(me.user.id, { name: `fuzz batch ${counts.batches}` }),
          );
          if (!project.ok) throw new Error(project.error.message);
          const projectId = project.value.id;
          const seen = batch.map((c) => {
            const key = c.idempotencyKey?.trim();
            if (key === undefined) return false;
            const before =
              keysSent.has(key) || batch.filter((d) => d.idempotencyKey?.trim() === key).length > 1;
            return before;
          });
          for (const c of batch) {
            const key = c.idempotencyKey?.trim();
            if (key !== undefined) keysSent.add(key);
          }

          const { answers, written } = await sendCounting(() =>
            Promise.all(batch.map((c) => send(c, projectId))),
          );
          counts.batches++;
          counts.cases += batch.length;

          const failures: string[] = [];
          const fresh: string[] = [];
          answers.forEach((answer, i) => {
            const c = batch[i] as RequestCase;
            counts.byStatus.set(answer.status, (counts.byStatus.get(answer.status) ?? 0) + 1);
            const problems = [
              ...checkAnswer(answer, [projectId, other.project.id]),
              ...checkExpected(answer, expectedOutcome(c, seen[i] ?? false)),
            ];
            if (answer.status === 201 && isObject(answer.json)) {
              const id = answer.json.id as string;
              if (answer.headers.get("idempotent-replayed") === null) {
                if (createdIds.has(id)) problems.push(`id ${id} answered as new twice`);
                fresh.push(id);
                createdIds.add(id);
              } else if (!createdIds.has(id) && !fresh.includes(id)) {
                problems.push(`replayed ${id}, which no earlier answer created`);
              }
            }
            if (problems.length > 0) {
              failures.push(
                `${problems.join("; ")}\n  request: ${describeCase(c)}\n  answer: ${answer.status} ${answer.text.slice(0, 600)}`,
              );
            }
          });
          if (written !== fresh.length) {
            failures.push(
              `${written} rows written for ${fresh.length} new workspaces answered 201 ` +
                `(batch: ${batch.map((c, i) => `${answers[i]?.status} ${describeCase(c)}`).join("\n")})`,
            );
          }
          if (failures.length > 0) throw new Error(failures.join("\n\n"));
        }),
      ),
      { seed: FUZZ_SEED, numRuns: CASES_PER_TARGET / BATCH, endOnFailure: false },
    );
    expect(counts.cases).toBeGreaterThanOrEqual(CASES_PER_TARGET);
  }, 600_000);
});

function describeCase(c: RequestCase): string {
  const body =
    c.body === undefined ? "(none)" : c.body.length > 300 ? `${c.body.slice(0, 300)}…` : c.body;
  return JSON.stringify({
    auth: c.auth.kind,
    path: c.path.kind === "bad" || c.path.kind === "missing" ? c.path : c.path.kind,
    contentType: c.contentType.header,
    idempotencyKey: c.idempotencyKey,
    body,
  });
}
