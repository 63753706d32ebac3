/**
 * The Tokens panel: your API tokens (name, project, role, expiry; never a secret), a form that
 * creates one limited to a project, a role and a number of days, and Revoke. A new token's
 * secret is shown once, beside a copy button: the server keeps only its hash.
 */
import type {
  ConsoleApiTokenFragment,
  ProjectRole,
  TypedDocumentString,
} from "../generated/graphql.js";
import { ConsoleCreateApiToken, ConsoleRevokeApiToken, ConsoleTokens } from "./documents.js";
import { byId, h, showLines } from "./dom.js";

export interface TokensHost {
  call<R, V>(document: TypedDocumentString<R, V>, variables: V): Promise<R>;
  describe(error: unknown): string;
  announce(message: string): void;
  /** The viewer's projects, to choose one and to name a token's. */
  projects(): { id: string; name: string }[];
  /** The token this page signed in with: revoking it ends the page's session too. */
  current(): string | undefined;
}

/** "2026-01-05 14:03 UTC": the same on every machine, to the minute. */
function when(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

export class TokensPanel {
  private readonly list = byId<HTMLUListElement>("api-tokens");
  private readonly form = byId<HTMLFormElement>("api-token-form");
  private readonly name = byId<HTMLInputElement>("api-token-name");
  private readonly project = byId<HTMLSelectElement>("api-token-project");
  private readonly role = byId<HTMLSelectElement>("api-token-role");
  private readonly days = byId<HTMLInputElement>("api-token-days");
  private readonly message = byId("api-token-message");
  private readonly secretBox = byId("api-token-secret");
  private readonly secret = byId<HTMLInputElement>("api-token-value");
  private readonly copyStatus = byId("api-token-copied");
  private tokens: ConsoleApiTokenFragment[] = [];

  constructor(private readonly host: TokensHost) {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.create();
    });
    byId("api-token-copy").addEventListener("click", () => void this.copy());
    byId("api-token-done").addEventListener("click", () => this.hideSecret());
  }

  /** Fills the project choices and reads the tokens again; a secret on show is forgotten. */
  async load(): Promise<void> {
    this.hideSecret();
    this.message.replaceChildren();
    this.offerProjects();
    try {
      const { viewer } = await this.host.call(ConsoleTokens, {});
      this.tokens = viewer.tokens;
      this.render();
    } catch (error) {
      showLines(this.message, [this.host.describe(error)]);
    }
  }

  /** The projects a token may be limited to: the viewer's, as the page last read them. */
  offerProjects(): void {
    const chosen = this.project.value;
    this.project.replaceChildren(
      h("option", { value: "" }, "All my projects"),
      ...this.host.projects().map((project) => h("option", { value: project.id }, project.name)),
    );
    this.project.value = chosen;
    if (this.project.selectedIndex < 0) this.project.value = "";
  }

  reset(): void {
    this.hideSecret();
    this.tokens = [];
    this.list.replaceChildren();
  }

  private hideSecret(): void {
    this.secret.value = "";
    this.copyStatus.textContent = "";
    this.secretBox.hidden = true;
  }

  private render(): void {
    const names = new Map(this.host.projects().map((project) => [project.id, project.name]));
    const now = Date.now();
    const current = this.host.current();
    this.list.replaceChildren(
      ...this.tokens.map((token) => {
        const expired = token.expiresAt !== null && Date.parse(token.expiresAt) <= now;
        const state = token.revokedAt
          ? `revoked ${when(token.revokedAt)}`
          : expired && token.expiresAt
            ? `expired ${when(token.expiresAt)}`
            : token.expiresAt
              ? `expires ${when(token.expiresAt)}`
              : "never expires";
        const live = !token.revokedAt && !expired;
        const label = token.name || `${token.prefix}…`;
        const facts = [
          `${token.prefix}…`,
          token.projectId
            ? `project ${names.get(token.projectId) ?? token.projectId}`
            : "all your projects",
          token.role ? `at most ${token.role.toLowerCase()}` : "your role on each project",
          state,
          token.lastUsedAt ? `last used ${when(token.lastUsedAt)}` : "never used",
          current?.startsWith(token.prefix) ? "this page's token" : "",
        ].filter(Boolean);
        return h(
          "li",
          { class: "api-token", "data-token-id": token.id, "data-live": live ? "true" : "false" },
          h("span", { class: "token-name" }, label),
          h("span", { class: "token-facts" }, facts.join(" · ")),
          live &&
            h(
              "button",
              {
                type: "button",
                class: "danger",
                "aria-label": `Revoke token ${label}`,
                onclick: () => void this.revoke(token, label),
              },
              "Revoke",
            ),
        );
      }),
    );
  }

  private async create(): Promise<void> {
    this.message.replaceChildren();
    this.hideSecret();
    const days = this.days.value.trim();
    const submit = this.form.querySelector<HTMLButtonElement>("button[type=submit]");
    if (submit) submit.disabled = true;
    try {
      const { createApiToken: result } = await this.host.call(ConsoleCreateApiToken, {
        input: {
          name: this.name.value.trim(),
          // Left blank: left out, so the new token keeps the page's own token's limits (none
          // for an unlimited one); asking for more than those would only be refused.
          projectId: this.project.value || undefined,
          role: (this.role.value || undefined) as ProjectRole | undefined,
          expiresInDays: days === "" ? undefined : Number(days),
        },
      });
      if (result.__typename !== "CreateApiTokenSuccess") {
        showLines(this.message, [
          result.message,
          ...("issues" in result ? result.issues.map((issue) => issue.displayMessage) : []),
        ]);
        return;
      }
      this.form.reset();
      this.secret.value = result.token;
      this.secretBox.hidden = false;
      this.secret.focus();
      this.secret.select();
      this.tokens = [result.apiToken, ...this.tokens];
      this.render();
      this.host.announce(`Token ${result.apiToken.name} created. Copy it now: it is shown once.`);
    } catch (error) {
      showLines(this.message, [this.host.describe(error)]);
    } finally {
      if (submit) submit.disabled = false;
    }
  }

  private async copy(): Promise<void> {
    this.secret.select();
    try {
      await navigator.clipboard.writeText(this.secret.value);
      this.copyStatus.textContent = "Copied.";
    } catch {
      // No clipboard permission (an http page, a browser setting): the text is selected.
      this.copyStatus.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
    }
  }

  private async revoke(token: ConsoleApiTokenFragment, label: string): Promise<void> {
    const own = this.host.current()?.startsWith(token.prefix) ?? false;
    const question = own
      ? `Revoke ${label}? This page signed in with it and will be signed out.`
      : `Revoke ${label}? Anything using it is refused from now on.`;
    if (!confirm(question)) return;
    this.message.replaceChildren();
    try {
      const { revokeApiToken: result } = await this.host.call(ConsoleRevokeApiToken, {
        id: token.id,
      });
      if (result.__typename !== "RevokeApiTokenSuccess") {
        showLines(this.message, [result.message]);
        return;
      }
      this.tokens = this.tokens.map((each) => (each.id === token.id ? result.apiToken : each));
      this.render();
      this.host.announce(`Token ${label} revoked.`);
    } catch (error) {
      showLines(this.message, [this.host.describe(error)]);
    }
  }
}
