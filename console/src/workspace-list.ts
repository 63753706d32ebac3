import type { ConsoleWorkspaceFieldsFragment as Workspace } from "../generated/graphql.js";
import { ApiError, type Socket, subscribe } from "./api.js";
import { ConsoleWorkspaceStatus } from "./documents.js";
import { h } from "./dom.js";

export type { Workspace };

/** What the list asks of the page: the actions go through it (it holds the token). */
export interface ListHost {
  socket(): Socket | undefined;
  announce(message: string): void;
  stop(id: string): Promise<Workspace | string>;
  start(id: string): Promise<Workspace | string>;
  remove(id: string): Promise<true | string>;
}

interface RowView {
  element: HTMLLIElement;
  badge: HTMLElement;
  hardware: HTMLElement;
  message: HTMLElement;
  fields: Record<"machineId" | "privateIp" | "gitRef" | "errorMessage", HTMLElement>;
  history: HTMLOListElement;
  stop: HTMLButtonElement;
  start: HTMLButtonElement;
  remove: HTMLButtonElement;
  actions: HTMLButtonElement[];
}

interface Row {
  workspace: Workspace;
  history: { status: string; at: string }[];
  view: RowView;
  unsubscribe?: () => void;
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}

function hardwareText({ hardware, keepActive }: Workspace): string {
  const gpu = hardware.gpuKind ? ` · GPU ${hardware.gpuKind}` : "";
  const cpus = `${hardware.cpus} ${hardware.cpuKind.toLowerCase()} ${hardware.cpus === 1 ? "CPU" : "CPUs"}`;
  return `${cpus} · ${hardware.memoryMb} MB · ${hardware.volumeSizeGb} GB${gpu}${keepActive ? " · keep active" : ""}`;
}

/** The project's workspaces, each row kept live by its own `workspaceStatus` subscription. */
export class WorkspaceList {
  private readonly rows = new Map<string, Row>();

  constructor(
    private readonly list: HTMLUListElement,
    private readonly empty: HTMLElement,
    private readonly host: ListHost,
  ) {}

  /** Replaces the rows (another project, or a reconnect of the page). */
  reset(workspaces: Workspace[]): void {
    for (const row of this.rows.values()) row.unsubscribe?.();
    this.rows.clear();
    this.list.replaceChildren();
    // Newest first from the server; each add goes on top.
    for (const workspace of [...workspaces].reverse()) this.add(workspace);
    this.syncEmpty();
  }

  add(workspace: Workspace): void {
    if (this.rows.has(workspace.id)) {
      this.update(workspace);
      return;
    }
    const row: Row = {
      workspace,
      history: [{ status: workspace.status, at: workspace.updatedAt }],
      view: this.build(workspace.id),
    };
    this.rows.set(workspace.id, row);
    this.list.prepend(row.view.element);
    this.render(row);
    this.watch(row);
    this.syncEmpty();
  }

  private watch(row: Row): void {
    const socket = this.host.socket();
    if (!socket) return;
    const { id } = row.workspace;
    let done = false;
    const stop = subscribe(
      socket.client,
      ConsoleWorkspaceStatus,
      { id },
      {
        next: ({ workspaceStatus }) => {
          if (workspaceStatus.status === "DELETED") this.deleted(id);
          else this.update(workspaceStatus);
        },
        error: (error) => this.fail(id, error),
        // The server ends a stream only when the workspace is gone.
        complete: () => {
          if (!done) this.deleted(id);
        },
      },
    );
    row.unsubscribe = () => {
      done = true;
      stop();
    };
  }

  update(workspace: Workspace): void {
    const row = this.rows.get(workspace.id);
    if (!row) return;
    const previous = row.workspace.status;
    row.workspace = workspace;
    // A reconnect starts each stream again with the current state: record changes only.
    if (row.history.at(-1)?.status !== workspace.status) {
      row.history.push({ status: workspace.status, at: workspace.updatedAt });
    }
    this.render(row);
    if (previous !== workspace.status) {
      this.host.announce(`Workspace ${shortId(workspace.id)} is ${workspace.status}.`);
    }
  }

  deleted(id: string): void {
    const row = this.rows.get(id);
    if (!row) return;
    row.unsubscribe?.();
    this.rows.delete(id);
    row.view.element.remove();
    this.syncEmpty();
    this.host.announce(`Workspace ${shortId(id)} was deleted.`);
  }

  private fail(id: string, error: ApiError): void {
    const row = this.rows.get(id);
    if (!row) return;
    this.message(row, `Live updates stopped: ${error.message}`);
  }

  private message(row: Row, text: string): void {
    row.view.message.textContent = text;
  }

  private async act(row: Row, action: () => Promise<Workspace | true | string>): Promise<void> {
    this.message(row, "");
    for (const button of row.view.actions) button.disabled = true;
    const result = await action().catch((error: unknown) =>
      error instanceof ApiError ? error.message : "The request failed.",
    );
    if (result === true) this.deleted(row.workspace.id);
    else {
      if (typeof result === "string") this.message(row, result);
      else this.update(result);
      this.render(row);
    }
  }

  /** The row's elements, made once: updates change them in place (focus stays put). */
  private build(id: string): RowView {
    const name = shortId(id);
    const detailsId = `details-${id}`;
    const button = (label: string, onclick: () => void, extra = "") =>
      h(
        "button",
        {
          type: "button",
          class: `action ${extra}`,
          "aria-label": `${label} workspace ${name}`,
          onclick,
        },
        label,
      );
    const stop = button("Stop", () => void this.act(row(), () => this.host.stop(id)));
    const start = button("Start", () => void this.act(row(), () => this.host.start(id)));
    const remove = button(
      "Delete",
      () => {
        if (confirm(`Delete workspace ${name}? Its machine is destroyed.`)) {
          void this.act(row(), () => this.host.remove(id));
        }
      },
      "danger",
    );
    const row = () => this.rows.get(id) as Row;
    const details = h("div", { class: "details", id: detailsId, hidden: true });
    const toggle = h(
      "button",
      {
        type: "button",
        class: "toggle",
        "aria-expanded": "false",
        "aria-controls": detailsId,
        onclick: () => {
          details.hidden = !details.hidden;
          toggle.setAttribute("aria-expanded", String(!details.hidden));
        },
      },
      "Details",
      h("span", { class: "visually-hidden" }, ` of workspace ${name}`),
    );
    const value = () => h("dd");
    const fields = {
      machineId: value(),
      privateIp: value(),
      gitRef: value(),
      errorMessage: value(),
    };
    const history = h("ol", { class: "history" });
    details.append(
      h(
        "dl",
        {},
        h("dt", {}, "Workspace id"),
        h("dd", {}, id),
        h("dt", {}, "Machine id"),
        fields.machineId,
        h("dt", {}, "Private IP"),
        fields.privateIp,
        h("dt", {}, "Git ref"),
        fields.gitRef,
        h("dt", {}, "Error"),
        fields.errorMessage,
      ),
      h("h4", {}, "History"),
      history,
    );
    const badge = h("span", { class: "badge" });
    const hardware = h("span", { class: "hardware" });
    const message = h("p", { class: "row-message", role: "alert" });
    const element = h(
      "li",
      { class: "workspace", "data-workspace-id": id },
      h(
        "div",
        { class: "summary" },
        badge,
        h("code", { title: id }, name),
        hardware,
        h("span", { class: "actions" }, stop, start, remove, toggle),
      ),
      message,
      details,
    );
    return {
      element,
      badge,
      hardware,
      message,
      fields,
      history,
      stop,
      start,
      remove,
      actions: [stop, start, remove],
    };
  }

  private render({ workspace, history, view }: Row): void {
    const { status } = workspace;
    view.badge.textContent = status;
    view.badge.dataset.status = status;
    view.hardware.textContent = hardwareText(workspace);
    view.stop.disabled = !(status === "RUNNING" || status === "STOP_FAILED");
    view.start.disabled = !(status === "STOPPED" || status === "ERROR");
    view.remove.disabled = false;
    view.fields.machineId.textContent = workspace.machineId ?? "—";
    view.fields.privateIp.textContent = workspace.privateIp ?? "—";
    view.fields.gitRef.textContent = workspace.gitRef ?? "—";
    view.fields.errorMessage.textContent = workspace.errorMessage ?? "—";
    view.history.replaceChildren(
      ...history.map((entry) =>
        h(
          "li",
          {},
          h("time", { datetime: entry.at }, new Date(entry.at).toLocaleTimeString()),
          ` ${entry.status}`,
        ),
      ),
    );
  }

  private syncEmpty(): void {
    this.empty.hidden = this.rows.size > 0;
  }
}
