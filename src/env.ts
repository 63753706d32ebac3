import { isIP } from "node:net";
import { z } from "zod";

const integer = (min: number) => z.coerce.number().int().min(min);

const envSchema = z.object({
  PORT: integer(0).max(65535).default(4000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: "must be a postgresql:// URL" })
    .optional(),
  DATA_DIR: z.string().min(1).default("./.data"),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: "must be a redis:// URL" }).optional(),
  SIMULATED_PROVISION_DELAY_MS: integer(0).default(1000),
  IDLE_TIMEOUT_MINUTES: z.coerce.number().min(0).default(10),
  // Workspace events are kept this long (history, stream resume); older cursors answer 410.
  EVENT_RETENTION_DAYS: integer(1).max(3650).default(30),
  // Webhooks: one attempt's limit (connect to last byte); the seconds between attempts (each
  // jittered by up to ±10%, then the delivery is failed); days of failing before an endpoint is
  // disabled; "true" lets endpoints resolve to loopback/private addresses (tests, internal hooks).
  WEBHOOK_TIMEOUT_MS: integer(100).max(60_000).default(10_000),
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, {
      error: "must be comma-separated whole seconds, e.g. 5,300,1800",
    })
    .default("5,300,1800,7200,18000,36000,36000")
    .transform((value) => value.split(",").map((seconds) => Number(seconds.trim()))),
  WEBHOOK_DISABLE_AFTER_DAYS: z.coerce.number().positive().max(365).default(5),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: z
    .enum(["true", "false"], { error: "must be true or false" })
    .default("false")
    .transform((value) => value === "true"),
  // Due auto-stops and auto-deletes are looked for this often (also at each due time this
  // process knows of); the length of a policy minute, which tests shorten instead of waiting.
  AUTO_STOP_SWEEP_INTERVAL_S: z.coerce.number().positive().max(3600).default(30),
  POLICY_MINUTE_MS: integer(1).max(60_000).default(60_000),
  LIFECYCLE_CONCURRENCY: integer(1).default(1000),
  // How long a verified token is served from memory (0: every request asks the database). A
  // revocation does not wait for it; it bounds what is changed in SQL behind the app's back.
  TOKEN_CACHE_TTL_MS: integer(0).max(60_000).default(10_000),
  // A WebSocket is closed (1001) this long after it authenticated; 0: never (up to 7 days).
  MAX_SOCKET_LIFETIME_S: integer(0).max(604_800).default(0),
  // Limits (0 disables each): requests per token (per address without a valid token), creates
  // per user, workspaces per user.
  RATE_LIMIT_PER_MINUTE: integer(0).default(1200),
  CREATE_RATE_LIMIT_PER_MINUTE: integer(0).default(60),
  WORKSPACE_QUOTA: integer(0).default(50),
  /** Live (not revoked, not expired) API tokens a user may hold: a leaked session cannot mint without end. */
  MAX_TOKENS_PER_USER: integer(1).default(100),
  /** Origins allowed to call from a browser (CORS, with credentials); empty: same origin only. */
  CORS_ORIGINS: z
    .string()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .refine((origins) => origins.every(isOrigin), {
      error: "must be comma-separated origins such as https://app.example.com (no path, no *)",
    }),
  // HTTP connection hygiene (milliseconds; 0 disables each timeout; HTTP_MAX_CONNECTIONS 0: no cap).
  HTTP_REQUEST_TIMEOUT_MS: integer(0).default(30_000),
  HTTP_HEADERS_TIMEOUT_MS: integer(0).default(10_000),
  HTTP_CONNECTION_TIMEOUT_MS: integer(0).default(120_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: integer(1).default(72_000),
  HTTP_MAX_CONNECTIONS: integer(0).default(10_000),
  /** Set: GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16, { error: "must be at least 16 characters" }).optional(),
  GPU_KINDS: z
    .string()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((kind) => kind.trim())
        .filter(Boolean),
    ),
  GRAPHIQL: z.stringbool().default(true),
  // GraphQL document limits (0 disables each; src/graphql/limits.ts): nesting depth, aliases,
  // lexical tokens, directives, cost, creating mutations per document; who may introspect.
  GRAPHQL_MAX_DEPTH: integer(0).default(15),
  GRAPHQL_MAX_ALIASES: integer(0).default(30),
  GRAPHQL_MAX_TOKENS: integer(0).default(2000),
  GRAPHQL_MAX_DIRECTIVES: integer(0).default(20),
  GRAPHQL_MAX_COST: integer(0).default(25_000),
  GRAPHQL_MAX_CREATES: integer(0).default(5),
  GRAPHQL_INTROSPECTION: z.enum(["authenticated", "on", "off"]).default("authenticated"),
  // graphql-ws: operations in flight per socket, open sockets per token (0: no cap).
  MAX_SUBSCRIPTIONS_PER_SOCKET: integer(0).default(100),
  MAX_SOCKETS_PER_TOKEN: integer(0).default(20),
  // What one caller (token, or address without a valid token) holds at once, per process (0: no
  // cap): requests using the database (a few more wait up to 2 s, then 429), and open REST
  // /events, /wait and GraphQL SSE streams. Slow requests of one token leave connections to others.
  MAX_CONCURRENT_REQUESTS_PER_TOKEN: integer(0).default(8),
  MAX_STREAMS_PER_TOKEN: integer(0).default(50),
  // Which proxies may name the client in X-Forwarded-For (the address the anonymous budget
  // counts): false, true, a hop count, or comma-separated addresses/CIDRs (as Fastify's trustProxy).
  TRUST_PROXY: z
    .string()
    .default("false")
    .transform(trustProxy)
    .refine((trust) => trust !== undefined, {
      error:
        "must be true, false, a hop count, or comma-separated addresses or CIDRs (loopback, linklocal and uniquelocal too)",
    }),
  // PostgreSQL cancels a gateway statement that runs longer (0: no limit; not the embedded DB).
  DATABASE_STATEMENT_TIMEOUT_MS: integer(0).default(5000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  PROVIDER: z.enum(["simulated", "fly"]).default("simulated"),
  FLY_API_TOKEN: z.string().optional(),
  FLY_APP_NAME: z.string().optional(),
  FLY_API_BASE_URL: z
    .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
    .default("https://api.machines.dev"),
  FLY_REGION: z.string().min(1).default("iad"),
  WORKSPACE_IMAGE: z.string().optional(),
});

/** Settings the Fly driver cannot make a machine without: refused at start-up, not at a step. */
const FLY_REQUIRED = ["FLY_API_TOKEN", "FLY_APP_NAME", "WORKSPACE_IMAGE"] as const;

export type Env = z.infer<typeof envSchema>;

/** Every setting's name: the README documents each (test/docs.test.ts checks). */
export const SETTING_NAMES = Object.keys(envSchema.shape) as readonly (keyof Env)[];

/** "https://app.example.com" or "http://localhost:5173": scheme, host and port, nothing else. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return /^https?:$/.test(url.protocol) && url.origin === value;
  } catch {
    return false;
  }
}

/** Names proxy-addr (Fastify's trustProxy) knows for ranges of addresses. */
const ADDRESS_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);

/**
 * TRUST_PROXY as Fastify's trustProxy takes it; undefined when it is none of those. A hop count
 * becomes the function proxy-addr would make of it (Fastify's types leave numbers out).
 */
function trustProxy(
  value: string,
): boolean | string[] | ((address: string, hop: number) => boolean) | undefined {
  const text = value.trim().toLowerCase();
  if (text === "false" || text === "0") return false;
  if (text === "true") return true;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return (_address, hop) => hop < hops;
  }
  const entries = text.split(",").map((entry) => entry.trim());
  const valid = entries.every((entry) => {
    if (ADDRESS_RANGES.has(entry)) return true;
    const [address, bits, extra] = entry.split("/");
    if (extra !== undefined || !address || isIP(address) === 0) return false;
    if (bits === undefined) return true;
    const max = isIP(address) === 4 ? 32 : 128;
    return /^\d+$/.test(bits) && Number(bits) <= max;
  });
  return valid ? entries : undefined;
}

/** NODE_ENV=production: libraries drop development aids (Prisma's call-site capture, warnings). */
export const IS_PRODUCTION = process.env.NODE_ENV === "production";

export class ConfigError extends Error {}

/** Parses the configuration once; an empty variable counts as unset. */
export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const result = envSchema.safeParse(present, { error: plainWords });
  if (result.success) {
    const missing =
      result.data.PROVIDER === "fly" && FLY_REQUIRED.find((name) => !result.data[name]);
    if (!missing) return result.data;
    throw new ConfigError(`${missing} is required when PROVIDER=fly, got nothing`);
  }
  const issue = result.error.issues[0];
  const name = String(issue?.path[0] ?? "environment");
  throw new ConfigError(
    `${name} ${issue?.message ?? "is invalid"}, got ${shown(name, present[name])}`,
  );
}

/**
 * Zod's messages in the words of a configuration (`must be a number`), for the rules that have
 * no message of their own in the schema; the variable's name and value are added around it.
 */
function plainWords(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      return issue.expected === "int" ? "must be a whole number" : `must be a ${issue.expected}`;
    case "too_small":
      return issue.origin === "string"
        ? `must be at least ${issue.minimum} characters`
        : `must be ${issue.inclusive ? "at least" : "more than"} ${issue.minimum}`;
    case "too_big":
      return `must be ${issue.inclusive ? "at most" : "less than"} ${issue.maximum}`;
    case "invalid_value":
      return "expected" in issue && issue.expected === "stringbool"
        ? "must be true or false"
        : `must be one of ${issue.values.join(", ")}`;
    default:
      return undefined;
  }
}

/** The offending value, quoted; never a secret, and a URL without its password. */
function shown(name: string, value: string | undefined): string {
  if (value === undefined) return "nothing";
  if (/TOKEN|SECRET|PASSWORD/.test(name)) return "a value that is not shown";
  try {
    const url = new URL(value);
    if (url.password) {
      url.password = "***";
      return JSON.stringify(url.href);
    }
  } catch {
    // Not a URL: shown as given.
  }
  return JSON.stringify(value);
}
