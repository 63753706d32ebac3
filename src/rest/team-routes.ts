/**
 * Teams: a project's members and the caller's own API tokens. Each route parses, calls the
 * service (members.ts, tokens.ts: the access policy decides there) and maps the result.
 */
import { z } from "zod";
import { ROLES } from "../services/access-policy.js";
import { TOKEN_EXPIRY_MAX_DAYS, TOKEN_NAME_MAX, type TokenInfo } from "../services/tokens.js";
import { serviceFailure } from "./errors.js";
import type { ResponseDoc, RestRoute } from "./routes.js";

// routes.ts spreads these into its table, so only types come from there (no import cycle).
const route = <Body, Query = unknown>(definition: RestRoute<Body, Query>): RestRoute =>
  definition as RestRoute;

const roleSchema = z.enum(ROLES, { error: `role must be one of ${ROLES.join(", ")}` });

const memberSchema = z.strictObject({
  user_id: z.uuid().nullable().describe("null while pending: no account with this email yet"),
  email: z.string(),
  role: roleSchema,
  added_at: z.iso.datetime(),
});

const addMemberRequestSchema = z.strictObject({
  email: z.string({ error: "email must be a string" }),
  role: roleSchema,
});

const updateMemberRequestSchema = z.strictObject({ role: roleSchema });

const createTokenRequestSchema = z.strictObject({
  name: z.string({ error: "name must be a string" }).describe(`1 to ${TOKEN_NAME_MAX} characters`),
  expires_in_days: z
    .number({ error: "expires_in_days must be a number" })
    .nullable()
    .optional()
    .describe(`1 to ${TOKEN_EXPIRY_MAX_DAYS}; omitted: never (or the asking token's expiry)`),
  project_id: z
    .string({ error: "project_id must be a string" })
    .nullable()
    .optional()
    .describe("Limits the token to this project; omitted: the asking token's project, if any"),
  role: roleSchema
    .nullable()
    .optional()
    .describe("Caps the token's role; omitted: the asking token's cap, if any"),
});

const tokenSchema = z.strictObject({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  project_id: z.uuid().nullable(),
  role: roleSchema.nullable(),
  created_at: z.iso.datetime(),
  last_used_at: z.iso.datetime().nullable(),
  expires_at: z.iso.datetime().nullable(),
  revoked_at: z.iso.datetime().nullable(),
});

const iso = (date: Date | null) => date?.toISOString() ?? null;

function serializeToken(info: TokenInfo) {
  return {
    id: info.id,
    name: info.name,
    prefix: info.prefix,
    project_id: info.projectId,
    role: info.role,
    created_at: info.createdAt.toISOString(),
    last_used_at: iso(info.lastUsedAt),
    expires_at: iso(info.expiresAt),
    revoked_at: iso(info.revokedAt),
  };
}

const projectNotFound: ResponseDoc = {
  description: "Not a UUID, no such project, or not a member: one identical body",
};
const forbidden: ResponseDoc = { description: "A member whose role (or token's role) is too low" };

export const teamRoutes: readonly RestRoute[] = [
  route({
    method: "GET",
    url: "/projects/:id/members",
    operationId: "listMembers",
    summary: "The project's members and their roles (any member may read them)",
    responses: {
      200: { description: "OK", schema: z.strictObject({ members: z.array(memberSchema) }) },
      404: projectNotFound,
    },
    async handle({ services, principal, params }) {
      const result = await services.members.list(principal, params.id ?? "");
      if (!result.ok) return serviceFailure(result.error);
      const members = result.value.map((member) => ({
        user_id: member.userId,
        email: member.email,
        role: member.role,
        added_at: member.addedAt.toISOString(),
      }));
      return { status: 200, body: { members } };
    },
  }),
  route<z.output<typeof addMemberRequestSchema>>({
    method: "POST",
    url: "/projects/:id/members",
    operationId: "addMember",
    summary:
      "Add a member by email (admin). The answer is the same whether the email has an account: without one the membership waits and becomes active when that user is created",
    body: addMemberRequestSchema,
    responses: {
      201: {
        description: "Added (or its role changed)",
        schema: z.strictObject({ role: roleSchema }),
      },
      400: { description: "Not an email, a bad role, or demoting the last admin" },
      403: forbidden,
      404: projectNotFound,
    },
    async handle({ services, principal, params, body }) {
      const result = await services.members.add(principal, params.id ?? "", body);
      if (!result.ok) return serviceFailure(result.error);
      // Nothing that tells an existing account from an unknown email.
      return { status: 201, body: { role: result.value.role } };
    },
  }),
  route<z.output<typeof updateMemberRequestSchema>>({
    method: "PATCH",
    url: "/projects/:id/members/:user_id",
    operationId: "updateMember",
    summary: "Change a member's role (admin); :user_id or, for a pending member, the email",
    body: updateMemberRequestSchema,
    responses: {
      200: { description: "The member", schema: memberSchema },
      400: { description: "A bad role, or demoting the last admin" },
      403: forbidden,
      404: { description: "No such project (or not a member), or no such member" },
    },
    async handle({ services, principal, params, body }) {
      const result = await services.members.update(
        principal,
        params.id ?? "",
        params.user_id ?? "",
        body.role,
      );
      if (!result.ok) return serviceFailure(result.error);
      const member = result.value;
      return {
        status: 200,
        body: {
          user_id: member.userId,
          email: member.email,
          role: member.role,
          added_at: member.addedAt.toISOString(),
        },
      };
    },
  }),
  route({
    method: "DELETE",
    url: "/projects/:id/members/:user_id",
    operationId: "removeMember",
    summary:
      "Remove a member (admin), or leave (any member, their own user id); never the last admin",
    responses: {
      204: { description: "Removed; their open streams on the project end" },
      400: { description: "Removing the last admin" },
      403: forbidden,
      404: { description: "No such project (or not a member), or no such member" },
    },
    async handle({ services, principal, params }) {
      const result = await services.members.remove(
        principal,
        params.id ?? "",
        params.user_id ?? "",
      );
      if (!result.ok) return serviceFailure(result.error);
      return { status: 204 };
    },
  }),
  route<z.output<typeof createTokenRequestSchema>>({
    method: "POST",
    url: "/user/tokens",
    operationId: "createToken",
    summary:
      "Create an API token for yourself, optionally limited to a project, capped at a role and expiring; never more power than the token asking",
    body: createTokenRequestSchema,
    responses: {
      201: {
        description: "The token (shown once: only its hash is kept) and its metadata",
        schema: tokenSchema.extend({ token: z.string() }),
      },
      400: { description: "A bad name, expiry or role; too many live tokens" },
      403: { description: "More power than the asking token has" },
      404: projectNotFound,
    },
    async handle({ services, principal, body }) {
      const result = await services.tokens.create(
        principal,
        {
          name: body.name,
          expiresInDays: body.expires_in_days,
          projectId: body.project_id,
          role: body.role,
        },
        (projectId) => services.projects.memberRole(principal.user.id, projectId),
      );
      if (!result.ok) return serviceFailure(result.error);
      return {
        status: 201,
        body: { token: result.value.token, ...serializeToken(result.value.info) },
      };
    },
  }),
  route({
    method: "GET",
    url: "/user/tokens",
    operationId: "listTokens",
    summary:
      "Your API tokens, newest first (never the secrets); a limited token sees those within its limits",
    responses: {
      200: { description: "OK", schema: z.strictObject({ tokens: z.array(tokenSchema) }) },
    },
    async handle({ services, principal }) {
      const tokens = await services.tokens.list(principal);
      return { status: 200, body: { tokens: tokens.map(serializeToken) } };
    },
  }),
  route({
    method: "DELETE",
    url: "/user/tokens/:id",
    operationId: "revokeToken",
    summary: "Revoke one of your tokens: refused from now on; its open sockets and streams end",
    responses: {
      204: { description: "Revoked (again: still 204)" },
      404: { description: "No such token of yours" },
    },
    async handle({ services, principal, params }) {
      const result = await services.tokens.revokeOwn(principal, params.id ?? "");
      if (!result.ok) return serviceFailure(result.error);
      return { status: 204 };
    },
  }),
];
