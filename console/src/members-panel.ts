/**
 * The Members panel of the open project: who is in it and with which role. An admin adds by
 * email, changes roles and removes; any member may leave. The server decides (the last admin
 * stays, whatever the page sends); the page offers only what the viewer's role allows and says
 * a refusal in words.
 */
import type { ProjectRole, TypedDocumentString } from "../generated/graphql.js";
import {
  ConsoleAddProjectMember,
  ConsoleProjectMembers,
  ConsoleRemoveProjectMember,
  ConsoleUpdateProjectMember,
} from "./documents.js";
import { byId, h, showLines } from "./dom.js";

export interface Member {
  userId?: string | null;
  email: string;
  role: ProjectRole;
}

const ROLES: ProjectRole[] = ["VIEWER", "DEVELOPER", "ADMIN"];

export interface MembersHost {
  call<R, V>(document: TypedDocumentString<R, V>, variables: V): Promise<R>;
  describe(error: unknown): string;
  announce(message: string): void;
  viewerId(): string | undefined;
  /** The viewer's own role changed or they left: the page opens the project (or the list) again. */
  selfChanged(left: boolean): void;
}

/** A mutation's answer: the success, or a refusal with its message and field issues. */
type Answer = { __typename: string; message?: string; issues?: { displayMessage: string }[] };

export class MembersPanel {
  private readonly list = byId<HTMLUListElement>("members");
  private readonly form = byId<HTMLFormElement>("member-form");
  private readonly email = byId<HTMLInputElement>("member-email");
  private readonly role = byId<HTMLSelectElement>("member-role");
  private readonly message = byId("members-message");
  private readonly status = byId("members-status");
  private readonly leave = byId<HTMLButtonElement>("leave-project");
  private projectId: string | undefined;
  private viewerRole: ProjectRole = "VIEWER";
  private members: Member[] = [];

  constructor(private readonly host: MembersHost) {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.add();
    });
    this.leave.addEventListener("click", () => void this.leaveProject());
  }

  /** Shows a project's members as the project query read them (or nothing, with no project). */
  show(projectId: string | undefined, viewerRole: ProjectRole, members: Member[]): void {
    if (projectId !== this.projectId) {
      this.message.replaceChildren();
      this.status.textContent = "";
    }
    this.projectId = projectId;
    this.viewerRole = viewerRole;
    this.members = members;
    this.render();
  }

  private get isAdmin(): boolean {
    return this.viewerRole === "ADMIN";
  }

  private render(): void {
    const me = this.host.viewerId();
    this.form.hidden = !this.isAdmin;
    this.leave.hidden = !this.members.some((member) => member.userId && member.userId === me);
    this.list.replaceChildren(
      ...this.members.map((member) => {
        const self = Boolean(member.userId) && member.userId === me;
        const name = h(
          "span",
          { class: "member-name" },
          member.email,
          ` · ${member.role.toLowerCase()}`,
          member.userId ? "" : " (pending)",
          self ? " (you)" : "",
        );
        return h("li", { class: "member" }, name, this.isAdmin && this.controls(member, self));
      }),
    );
  }

  /** An admin's controls on one row: a role and, for someone else, Remove (you leave instead). */
  private controls(member: Member, self: boolean): HTMLElement {
    const select = h(
      "select",
      { "aria-label": `Role of ${member.email}` },
      ...ROLES.map((role) =>
        h("option", { value: role, selected: role === member.role }, role.toLowerCase()),
      ),
    );
    return h(
      "span",
      { class: "member-actions" },
      select,
      h(
        "button",
        {
          type: "button",
          "aria-label": `Change role of ${member.email}`,
          onclick: () => void this.changeRole(member, select.value as ProjectRole, self),
        },
        "Change role",
      ),
      !self &&
        h(
          "button",
          {
            type: "button",
            class: "danger",
            "aria-label": `Remove ${member.email}`,
            onclick: () => void this.remove(member),
          },
          "Remove",
        ),
    );
  }

  /** Pending members have no user id yet: the server takes their email instead. */
  private ref(member: Member): string {
    return member.userId ?? member.email;
  }

  private async add(): Promise<void> {
    if (!this.projectId) return;
    const email = this.email.value.trim();
    const role = this.role.value as ProjectRole;
    await this.act(
      async () =>
        (
          await this.host.call(ConsoleAddProjectMember, {
            input: { projectId: this.projectId ?? "", email, role },
          })
        ).addProjectMember,
      // The same words whether the email has an account or not, as the server answers.
      `${email} added as ${role.toLowerCase()}. Without an account yet, they join when it is created.`,
      () => {
        this.email.value = "";
      },
    );
  }

  private async changeRole(member: Member, role: ProjectRole, self: boolean): Promise<void> {
    if (!this.projectId || role === member.role) return;
    await this.act(
      async () =>
        (
          await this.host.call(ConsoleUpdateProjectMember, {
            input: { projectId: this.projectId ?? "", userId: this.ref(member), role },
          })
        ).updateProjectMember,
      `${member.email} is now ${role.toLowerCase()}.`,
      () => {
        if (self) this.host.selfChanged(false);
      },
    );
  }

  private async remove(member: Member): Promise<void> {
    if (!this.projectId || !confirm(`Remove ${member.email} from the project?`)) return;
    await this.act(
      async () =>
        (
          await this.host.call(ConsoleRemoveProjectMember, {
            input: { projectId: this.projectId ?? "", userId: this.ref(member) },
          })
        ).removeProjectMember,
      `${member.email} removed.`,
    );
  }

  private async leaveProject(): Promise<void> {
    const me = this.host.viewerId();
    if (!this.projectId || !me || !confirm("Leave this project? You lose access to it.")) return;
    await this.act(
      async () =>
        (
          await this.host.call(ConsoleRemoveProjectMember, {
            input: { projectId: this.projectId ?? "", userId: me },
          })
        ).removeProjectMember,
      "You left the project.",
      () => this.host.selfChanged(true),
    );
  }

  /** Runs one change; a refusal (the last admin, a bad email) is said in words, else it reloads. */
  private async act(send: () => Promise<Answer>, done: string, after?: () => void): Promise<void> {
    this.message.replaceChildren();
    this.status.textContent = "";
    const projectId = this.projectId;
    try {
      const answer = await send();
      if (!answer.__typename.endsWith("Success")) {
        // The controls show what is, not what was asked (a refused role goes back).
        this.render();
        showLines(this.message, [
          answer.message ?? "The change was refused.",
          ...(answer.issues ?? []).map((issue) => issue.displayMessage),
        ]);
        return;
      }
      this.status.textContent = done;
      this.host.announce(done);
      if (after) after();
      if (projectId === this.projectId) await this.reload();
    } catch (error) {
      showLines(this.message, [this.host.describe(error)]);
    }
  }

  private async reload(): Promise<void> {
    const projectId = this.projectId;
    if (!projectId) return;
    const { project } = await this.host.call(ConsoleProjectMembers, { id: projectId });
    if (projectId !== this.projectId || !project) return;
    this.viewerRole = project.viewerRole;
    this.members = project.members;
    this.render();
  }
}
