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
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Env = z.infer<typeof envSchema>;

/** NODE_ENV=production: libraries drop development aids (Prisma's call-site capture, warnings). */
export const IS_PRODUCTION = process.env.NODE_ENV === "production";

export class ConfigError extends Error {}

/** Parses the configuration once; an empty variable counts as unset. */
export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const result = envSchema.safeParse(present);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = String(issue?.path[0] ?? "environment");
  const value = JSON.stringify(present[name] ?? "");
  throw new ConfigError(`invalid configuration: ${name}=${value}: ${issue?.message ?? "invalid"}`);
}
