import type { FastifyPluginAsync } from "fastify";

/** The workspace console at `/` (filled in by the console work). */
export const consoleRoutes: FastifyPluginAsync = async () => {};
