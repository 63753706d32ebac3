import { builder } from "../builder.js";
import "./scalars.js";
import "./enums.js";
import "./errors.js";
import "./node.js";
import "./hardware.js";
import "./hardware-options.js";
import "./workspace.js";
import "./project.js";
import "./user.js";
import "./events.js";
import "./webhooks.js";
import "./team.js";
import "./workspace-policy.js";

/** The GraphQL schema (CONTRACT §3); printed to schema.graphql by `npm run codegen`. */
export const schema = builder.toSchema();
