/**
 * The first start on a brand-new embedded database: a development user, an API token and a
 * project, so that a newcomer can call the API at once. Never on PostgreSQL (DATABASE_URL):
 * production databases get their users from an operator.
 */
import { type OperatorContext, operatorCommands } from "./commands.js";

/** The development user's email (example.com: reserved, never a real mailbox). */
export const DEVELOPER_EMAIL = "developer@example.com";

/** What the first start created; the token is printed once and stored only as a hash. */
export interface FirstUser {
  user: { id: string; email: string };
  token: string;
  project: { id: string; name: string };
}

/** Creates the development user, token and project when the database has no user at all. */
export async function createFirstUser(context: OperatorContext): Promise<FirstUser | null> {
  if ((await context.database.prisma.user.count()) > 0) return null;
  return operatorCommands.seed(context, { email: DEVELOPER_EMAIL, projectName: "My project" });
}
