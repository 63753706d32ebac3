import type { Server } from "node:http";
import type { FastifyPluginAsync } from "fastify";
import type { PrismaClient } from "../db/client.js";
import type { Env } from "../env.js";
import type { StatusEvents } from "../lifecycle/index.js";
import type { Services } from "../services/index.js";

export interface GraphQLOptions {
  services: Services;
  prisma: PrismaClient;
  events: StatusEvents;
  env: Env;
}

// Placeholder until the GraphQL API lands.
export function createGraphQL(_options: GraphQLOptions) {
  const routes: FastifyPluginAsync = async () => {};
  return {
    routes,
    attachWebSocket(_server: Server) {},
    async close() {},
  };
}
