/**
 * Expected failures as result-union members. Services return `{ ok: false, error }`; `unwrap`
 * throws the matching class below, and @pothos/plugin-errors turns it into the union member when
 * the field lists that class. Anything else stays a GraphQL error (and is masked if unexpected).
 */
import { GraphQLError } from "graphql";
import type { WorkspaceStatus as Status } from "../../generated/prisma/enums.js";
import {
  type FieldIssue,
  GRAPHQL_DIALECT,
  hardwareIssue,
  PERSON_DIALECT,
  problemMessage,
} from "../../services/hardware-messages.js";
import type { Result, ServiceError } from "../../services/result.js";
import { builder } from "../builder.js";
import { WorkspaceStatus } from "./enums.js";

/** A hardware issue in GraphQL's names, and the same problem worded for a person. */
export interface HardwareIssueValue extends FieldIssue {
  displayMessage: string;
}

export class InvalidHardwareError extends Error {
  constructor(
    message: string,
    readonly issues: readonly HardwareIssueValue[],
  ) {
    super(message);
  }
}

export class ProjectNotFoundError extends Error {}

export class WorkspaceNotFoundError extends Error {}

export class InvalidTransitionError extends Error {
  constructor(
    message: string,
    readonly status: Status,
  ) {
    super(message);
  }
}

export class IdempotencyConflictError extends Error {
  constructor(
    message: string,
    readonly inProgress: boolean,
  ) {
    super(message);
  }
}

/**
 * Input the service refused that has no union member on the field (say, an idempotency key of
 * 300 characters): a GraphQLError, so it reaches the client as BAD_USER_INPUT, unmasked.
 */
export class InvalidInputError extends GraphQLError {
  constructor(
    message: string,
    readonly issues: readonly FieldIssue[],
  ) {
    super(message, { extensions: { code: "BAD_USER_INPUT", issues } });
  }
}

/** A service's expected failure as the error the schema knows. */
export function resultError(error: ServiceError): Error {
  switch (error.code) {
    case "INVALID_HARDWARE":
      return new InvalidHardwareError(
        error.message,
        error.problems.map((problem) => ({
          ...hardwareIssue(problem, error.target, GRAPHQL_DIALECT),
          displayMessage: problemMessage(problem, PERSON_DIALECT),
        })),
      );
    case "INVALID_INPUT":
      return new InvalidInputError(error.message, error.issues);
    case "PROJECT_NOT_FOUND":
      return new ProjectNotFoundError(error.message);
    case "WORKSPACE_NOT_FOUND":
      return new WorkspaceNotFoundError(error.message);
    case "INVALID_TRANSITION":
      return new InvalidTransitionError(error.message, error.status);
    case "IDEMPOTENCY_KEY_REUSED":
      return new IdempotencyConflictError(error.message, false);
    case "IDEMPOTENCY_IN_FLIGHT":
      return new IdempotencyConflictError(error.message, true);
    case "QUOTA_EXCEEDED":
      // Contract §7: over a limit reads RATE_LIMITED (HTTP 429), the message states the quota.
      return new GraphQLError(error.message, {
        extensions: { code: "RATE_LIMITED", quota: error.quota, http: { status: 429 } },
      });
    case "USER_NOT_FOUND":
    case "TOKEN_NOT_FOUND":
      return new Error(`unexpected ${error.code} in GraphQL: ${error.message}`);
  }
}

/** The value of a service result, or its error thrown for the field's result union. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw resultError(result.error);
}

export const ErrorInterface = builder.interfaceRef<Error>("Error").implement({
  description: "An expected failure; each kind is a type of its own with the details it has.",
  fields: (t) => ({ message: t.exposeString("message") }),
});

/** A field-level problem type: the field as this schema names it, and what is allowed. */
const issueType = (name: string, description: string) =>
  builder.objectRef<FieldIssue>(name).implement({
    description,
    fields: (t) => ({
      field: t.exposeString("field"),
      message: t.exposeString("message"),
    }),
  });

export const HardwareIssue = builder.objectRef<HardwareIssueValue>("HardwareIssue").implement({
  description:
    'One failed hardware rule: the field (e.g. "hardware.memoryMb") and what is allowed.',
  fields: (t) => ({
    field: t.exposeString("field"),
    message: t.exposeString("message", {
      description: 'What is allowed, naming API fields and values ("memoryMb", SHARED).',
    }),
    displayMessage: t.exposeString("displayMessage", {
      description:
        'The same rule worded for a person filling in a form: fields by their labels, units and kinds in words ("Memory must be a multiple of 256 MB between 512 and 4096 MB for 2 shared CPUs (got 300)").',
    }),
  }),
});

export const InputIssue = issueType(
  "InputIssue",
  'One problem with the input: the field it is about (e.g. "idempotencyKey") and what is allowed.',
);

builder.objectType(InvalidHardwareError, {
  name: "InvalidHardwareError",
  description: "The hardware (after filling in defaults) breaks one or more rules.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    issues: t.field({ type: [HardwareIssue], resolve: (error) => [...error.issues] }),
  }),
});

builder.objectType(ProjectNotFoundError, {
  name: "ProjectNotFoundError",
  description: "No such project, or not yours: the same answer either way.",
  interfaces: [ErrorInterface],
});

builder.objectType(WorkspaceNotFoundError, {
  name: "WorkspaceNotFoundError",
  description: "No such workspace, or not yours: the same answer either way.",
  interfaces: [ErrorInterface],
});

builder.objectType(InvalidTransitionError, {
  name: "InvalidTransitionError",
  description: "The workspace is not in a state that allows this action.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    status: t.field({ type: WorkspaceStatus, resolve: (error) => error.status }),
  }),
});

builder.objectType(IdempotencyConflictError, {
  name: "IdempotencyConflictError",
  description:
    "The idempotency key was used with a different request, or its first request is still in progress.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    inProgress: t.exposeBoolean("inProgress", {
      description: "true: the first request with this key is still running; retry shortly.",
    }),
  }),
});

builder.objectType(InvalidInputError, {
  name: "InvalidInputError",
  description: "The input breaks one or more rules.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    issues: t.field({ type: [InputIssue], resolve: (error) => [...error.issues] }),
  }),
});
