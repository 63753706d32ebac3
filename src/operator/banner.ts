/** What `serve` prints once it listens: where everything is, and on a first start how to try it. */
import type { Env } from "../env.js";
import { commandPrefix, databaseLocation } from "./database-label.js";
import type { FirstUser } from "./first-run.js";

export interface BannerOptions {
  /** The base URL the server answers on (127.0.0.1 when it listens on every address). */
  url: string;
  env: Pick<Env, "DATABASE_URL" | "DATA_DIR" | "GRAPHIQL">;
  /** Set on the first start of an embedded database. */
  firstUser: FirstUser | null;
}

export function banner({ url, env, firstUser }: BannerOptions): string {
  const lines = [
    "",
    `workspace-gateway is listening on ${url}`,
    `  console   ${url}/`,
    `  GraphQL   ${url}/graphql${env.GRAPHIQL ? "  (GraphiQL in a browser)" : ""}`,
    `  REST      ${url}/projects/<project id>/workspaces`,
    `  data      ${databaseLocation(env)}`,
    `  operator  ${commandPrefix(env)}npx workspace-gateway --help   (user, project, token and workspace commands)`,
    "",
  ];
  if (firstUser) {
    lines.push(
      `First start: created the user ${firstUser.user.email}, the project "${firstUser.project.name}" and an API token.`,
      "The token is shown this once (only its hash is stored); paste it into the console, or try:",
      "",
      `  curl -s -X POST ${url}/projects/${firstUser.project.id}/workspaces -H "Authorization: Bearer ${firstUser.token}"`,
      "",
      `More tokens: ${commandPrefix(env)}npx workspace-gateway token create --user ${firstUser.user.email}`,
      "",
    );
  }
  return `${lines.join("\n")}\n`;
}
