import type { FastifyPluginAsync } from "fastify";
import type { Services } from "../services/index.js";

// Placeholder until the REST shim lands.
export const restRoutes: FastifyPluginAsync<{ services: Services }> = async () => {};
