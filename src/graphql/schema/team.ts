/**
 * Teams in GraphQL: a project's members and your role on it, and your own API tokens. The rules
 * (who may do what, what a token may mint) live in the services (access-policy.ts, members.ts,
 * tokens.ts); these fields map their results.
 */
import { effectiveRole } from "../../services/access-policy.js";
import type { Member } from "../../services/members.js";
import { TOKEN_EXPIRY_MAX_DAYS, TOKEN_NAME_MAX, type TokenInfo } from "../../services/tokens.js";
import { builder } from "../builder.js";
import { requireCaller } from "../context.js";
import { ProjectRole } from "./enums.js";
import {
  ForbiddenError,
  InvalidInputError,
  LastAdminError,
  MemberNotFoundError,
  ProjectNotFoundError,
  TokenNotFoundError,
  unwrap,
} from "./errors.js";
import { Project } from "./project.js";
import { DateTime } from "./scalars.js";
import { User } from "./user.js";

export const ProjectMember = builder.objectRef<Member>("ProjectMember").implement({
  description: "A member of a project and their role.",
  fields: (t) => ({
    userId: t.exposeID("userId", {
      nullable: true,
      description: "The member's user id; null while pending (no account with this email yet).",
    }),
    email: t.exposeString("email", { description: "The email the member was added with." }),
    role: t.field({ type: ProjectRole, description: "What they may do.", resolve: (m) => m.role }),
    addedAt: t.expose("addedAt", { type: DateTime, description: "When they were added." }),
  }),
});

builder.prismaObjectFields(Project, (t) => ({
  viewerRole: t.field({
    type: ProjectRole,
    description:
      "Your role on this project, as your token limits it (the lower of your membership and the token's role).",
    // Loaded with the project, in the same statement.
    select: (_args, context) => ({
      members: { where: { userId: context.viewer?.id ?? "" }, select: { role: true } },
    }),
    resolve: (project, _args, context) =>
      effectiveRole(requireCaller(context), project.id, project.members[0]?.role) ?? "viewer",
  }),
  members: t.field({
    type: [ProjectMember],
    description: "Every member, admins first, then by when they were added (any member may read).",
    resolve: async (project, _args, context) => {
      const members = await context.services.members.list(requireCaller(context), project.id);
      return members.ok ? members.value : [];
    },
  }),
}));

const ProjectRoleArg = { type: ProjectRole, required: true } as const;

const AddProjectMemberInput = builder.inputType("AddProjectMemberInput", {
  description: "Whom to add, and with which role.",
  fields: (t) => ({
    projectId: t.id({ required: true, description: "The project (you must be its admin)." }),
    email: t.string({
      required: true,
      description:
        "Their email. Without an account yet, the membership waits and becomes active when that user is created; the answer is the same either way.",
    }),
    role: t.field({ ...ProjectRoleArg, description: "Their role." }),
  }),
});

/** What addProjectMember answers: the same for an email with an account and one without. */
interface AddedMember {
  email: string;
  role: Member["role"];
}

const AddedMemberRef = builder.objectRef<AddedMember>("AddedProjectMember").implement({
  description: "A member added by email (or whose role changed); says nothing about their account.",
  fields: (t) => ({
    email: t.exposeString("email", { description: "The email, lower-cased." }),
    role: t.field({ type: ProjectRole, description: "Their role.", resolve: (m) => m.role }),
  }),
});

const memberErrors = [ProjectNotFoundError, ForbiddenError, InvalidInputError, LastAdminError];

builder.mutationField("addProjectMember", (t) =>
  t.field({
    type: AddedMemberRef,
    description: "Adds a member to a project by email, or changes the role of one already there.",
    args: { input: t.arg({ type: AddProjectMemberInput, required: true, description: "Who." }) },
    errors: {
      types: memberErrors,
      union: { name: "AddProjectMemberResult", description: "The member added, or why not." },
      result: { name: "AddProjectMemberSuccess", description: "Added." },
      dataField: { name: "member", description: "The email and role." },
    },
    resolve: async (_root, { input }, context) =>
      unwrap(
        await context.services.members.add(requireCaller(context), input.projectId, {
          email: input.email,
          role: input.role,
        }),
      ),
  }),
);

const UpdateProjectMemberInput = builder.inputType("UpdateProjectMemberInput", {
  description: "Whose role to change.",
  fields: (t) => ({
    projectId: t.id({ required: true, description: "The project (you must be its admin)." }),
    userId: t.id({
      required: true,
      description: "The member's user id (or, for a pending member, their email).",
    }),
    role: t.field({ ...ProjectRoleArg, description: "Their new role." }),
  }),
});

builder.mutationField("updateProjectMember", (t) =>
  t.field({
    type: ProjectMember,
    description:
      "Changes a member's role. The last admin cannot be demoted; a lowered member's open subscriptions on the project end.",
    args: { input: t.arg({ type: UpdateProjectMemberInput, required: true, description: "Who." }) },
    errors: {
      types: [...memberErrors, MemberNotFoundError],
      union: { name: "UpdateProjectMemberResult", description: "The member, or why not." },
      result: { name: "UpdateProjectMemberSuccess", description: "Changed." },
      dataField: { name: "member", description: "The member with the new role." },
    },
    resolve: async (_root, { input }, context) =>
      unwrap(
        await context.services.members.update(
          requireCaller(context),
          input.projectId,
          input.userId,
          input.role,
        ),
      ),
  }),
);

const RemoveProjectMemberInput = builder.inputType("RemoveProjectMemberInput", {
  description: "Whom to remove.",
  fields: (t) => ({
    projectId: t.id({ required: true, description: "The project." }),
    userId: t.id({
      required: true,
      description:
        "The member's user id (or a pending member's email). Your own id: you leave (any role may).",
    }),
  }),
});

builder.mutationField("removeProjectMember", (t) =>
  t.field({
    type: ProjectMember,
    description:
      "Removes a member (an admin may remove anyone; anyone may leave). Never the last admin. Their open subscriptions on the project end.",
    args: { input: t.arg({ type: RemoveProjectMemberInput, required: true, description: "Who." }) },
    errors: {
      types: [...memberErrors, MemberNotFoundError],
      union: { name: "RemoveProjectMemberResult", description: "The member removed, or why not." },
      result: { name: "RemoveProjectMemberSuccess", description: "Removed." },
      dataField: { name: "member", description: "The member as they were." },
    },
    resolve: async (_root, { input }, context) =>
      unwrap(
        await context.services.members.remove(
          requireCaller(context),
          input.projectId,
          input.userId,
        ),
      ),
  }),
);

export const ApiToken = builder.objectRef<TokenInfo>("ApiToken").implement({
  description: "One of your API tokens (never the secret: it is shown once, at creation).",
  fields: (t) => ({
    id: t.exposeID("id", { description: "Its id (revokeApiToken takes it)." }),
    name: t.exposeString("name", { description: "Your label for it." }),
    prefix: t.exposeString("prefix", { description: "Its first characters, to tell it apart." }),
    projectId: t.exposeID("projectId", {
      nullable: true,
      description: "The one project it may see; null: every project of yours.",
    }),
    role: t.field({
      type: ProjectRole,
      nullable: true,
      description: "The most it may do on any project; null: what your membership allows.",
      resolve: (token) => token.role,
    }),
    createdAt: t.expose("createdAt", { type: DateTime, description: "When it was created." }),
    lastUsedAt: t.expose("lastUsedAt", {
      type: DateTime,
      nullable: true,
      description: "When it was last used (to the minute); null: never.",
    }),
    expiresAt: t.expose("expiresAt", {
      type: DateTime,
      nullable: true,
      description: "When it stops working; null: never.",
    }),
    revokedAt: t.expose("revokedAt", {
      type: DateTime,
      nullable: true,
      description: "When it was revoked; null: it was not.",
    }),
  }),
});

builder.prismaObjectFields(User, (t) => ({
  tokens: t.field({
    type: [ApiToken],
    description:
      "Your API tokens, newest first (a token limited to a project or role sees only those within its limits).",
    resolve: (_user, _args, context) => context.services.tokens.list(requireCaller(context)),
  }),
}));

const CreateApiTokenInput = builder.inputType("CreateApiTokenInput", {
  description:
    "The token to create. A token never gets more power than the token asking for it: left out, its project, role and expiry are the asking token's.",
  fields: (t) => ({
    name: t.string({ required: true, description: `1 to ${TOKEN_NAME_MAX} characters.` }),
    expiresInDays: t.int({
      description: `1 to ${TOKEN_EXPIRY_MAX_DAYS} days; left out or null: never (or the asking token's expiry).`,
    }),
    projectId: t.id({ description: "Limits it to this project (one you are a member of)." }),
    role: t.field({ type: ProjectRole, description: "Caps what it may do." }),
  }),
});

const secrets = new WeakMap<TokenInfo, string>();

builder.mutationField("createApiToken", (t) =>
  t.field({
    type: ApiToken,
    description: "Creates an API token for you; its secret is in the answer, once.",
    args: { input: t.arg({ type: CreateApiTokenInput, required: true, description: "What." }) },
    errors: {
      types: [InvalidInputError, ProjectNotFoundError],
      union: { name: "CreateApiTokenResult", description: "The new token, or why not." },
      result: {
        name: "CreateApiTokenSuccess",
        description: "Created.",
        fields: (t) => ({
          token: t.string({
            description: "The secret (Authorization: Bearer <token>): shown this once, keep it.",
            resolve: (info) => secrets.get(info) ?? "",
          }),
        }),
      },
      dataField: { name: "apiToken", description: "Its metadata." },
    },
    resolve: async (_root, { input }, context) => {
      const caller = requireCaller(context);
      const created = unwrap(
        await context.services.tokens.create(
          caller,
          {
            name: input.name,
            expiresInDays: input.expiresInDays,
            // Left out (undefined) inherits the asking token's; null asks for no limit.
            projectId: input.projectId,
            role: input.role,
          },
          (projectId) => context.services.projects.memberRole(caller.user.id, projectId),
        ),
      );
      secrets.set(created.info, created.token);
      return created.info;
    },
  }),
);

builder.mutationField("revokeApiToken", (t) =>
  t.field({
    type: ApiToken,
    description:
      "Revokes one of your tokens: refused from now on; its open sockets and streams end.",
    args: { id: t.arg.id({ required: true, description: "The token's id." }) },
    errors: {
      types: [TokenNotFoundError],
      union: { name: "RevokeApiTokenResult", description: "The revoked token, or why not." },
      result: { name: "RevokeApiTokenSuccess", description: "Revoked." },
      dataField: { name: "apiToken", description: "The token, with revokedAt." },
    },
    resolve: async (_root, { id }, context) =>
      unwrap(await context.services.tokens.revokeOwn(requireCaller(context), id)),
  }),
);
