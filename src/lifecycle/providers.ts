import type { Env } from "../env.js";
import type { Logger } from "../logger.js";
import { createFlyProvisioner } from "./fly-provisioner.js";
import type { Provisioner } from "./provisioner.js";
import { createSimulatedProvisioner } from "./simulated-provisioner.js";

/**
 * How the Fly driver rides out an unavailable API (5xx, refused connections, timeouts) inside one
 * step before the step fails: retries back off from 250 ms and never wait more than 5 s apart, so
 * a workspace resumes within seconds of the API's return; 30 retries are at least ~66 s (at most
 * ~133 s) of outage, during which the workspace stays in its transitional status.
 */
export const FLY_RETRY_POLICY = {
  maxRetries: 30,
  backoffBaseMs: 250,
  maxBackoffMs: 5000,
} as const;

/**
 * The provisioner PROVIDER names: `simulated` (the default: no cloud, SIMULATED_PROVISION_DELAY_MS
 * per step) or `fly` (Fly Machines, from the FLY_* settings and WORKSPACE_IMAGE, which parseEnv
 * has already required).
 */
export function createProvisioner(env: Env, logger: Logger): Provisioner {
  if (env.PROVIDER === "simulated") {
    return createSimulatedProvisioner({ delayMs: env.SIMULATED_PROVISION_DELAY_MS });
  }
  const { FLY_API_TOKEN, FLY_APP_NAME, WORKSPACE_IMAGE } = env;
  if (!FLY_API_TOKEN || !FLY_APP_NAME || !WORKSPACE_IMAGE) {
    throw new Error("PROVIDER=fly needs FLY_API_TOKEN, FLY_APP_NAME and WORKSPACE_IMAGE");
  }
  logger.info(
    { provider: "fly", app: FLY_APP_NAME, region: env.FLY_REGION, baseUrl: env.FLY_API_BASE_URL },
    "provisioner: Fly Machines",
  );
  return createFlyProvisioner({
    apiToken: FLY_API_TOKEN,
    appName: FLY_APP_NAME,
    baseUrl: env.FLY_API_BASE_URL,
    region: env.FLY_REGION,
    image: WORKSPACE_IMAGE,
    ...FLY_RETRY_POLICY,
    logger,
  });
}
