import type { FastifyInstance } from "fastify";

// Placeholder until the REST shim lands: app-wide error, 404 and 405 handling.
export function installHttpErrors(_http: FastifyInstance): void {}
