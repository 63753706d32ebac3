import type {
  HardwareInput,
  ConsoleWorkspaceFieldsFragment as Workspace,
} from "../generated/graphql.js";
import { ApiError, type Socket, subscribe } from "./api.js";
import { ConsoleWorkspaceStatus } from "./documents.js";
import { h } from "./dom.js";
import type { HardwareOptions } from "./hardware-form.js";
import { eventText, stopReasonText, stopsInText, type WorkspaceEvent } from "./policy-text.js";
import { ResizeForm, type ResizeOutcome } from "./resize-form.js";

export type { Workspace };

/** What the list asks of the page: the actions go through it (it holds the token). */
export interface ListHost {
  socket(): Socket | undefined;
  announce(message: string): void;
  stop(id: string): Promise<Workspace | string>;
  start(id: string): Promise<Workspace | string>;
  remove(id: string): Promise<true | string>;
  keepAlive(id: string): Promise<Workspace | string>;
  resize(id: string, hardware: HardwareInput): Promise<ResizeOutcome<Workspace>>;
  /** The whole history, oldest first. */
  history(id: string): Promise<WorkspaceEvent[]>;
  /** A user id in words: "you", a member's email, else "a user". */
  who(userId: string): string;
  /** The hardware on offer (the resize form's choices). */
  options(): HardwareOptions;
  /** Whether the viewer's role on the project allows workspace actions (DEVELOPER and up). */
  mayAct(): boolean;
}

interface RowView {
  element: HTMLLIElement;
  badge: HTMLElement;
  hardware: HTMLElement;
  labels: HTMLUListElement;
  schedule: HTMLElement;
  message: HTMLElement;
  fields: Record<"machineId" | "privateIp" | "gitRef" | "errorMessage", HTMLElement>;
  history: HTMLOListElement;
  stop: HTMLButtonElement;
  start: HTMLButtonElement;
  remove: HTMLButtonElement;
  keepAlive: HTMLButtonElement;
  resizeToggle: HTMLButtonElement;
  resize?: ResizeForm<Workspace>;
  resizeSlot: HTMLElement;
  actions: HTMLButtonElement[];
}

interface HistoryLine {
  at: string;
  text: string;
  /** The status after this line, when it says one (the live lines continue from it). */
  status?: string;
}

interface Row {
  workspace: Workspace;
  history: HistoryLine[];
  /** Set once the server's history is asked for: it is read once, then kept live. */
  historyLoad?: Promise<void>;
  view: RowView;
  unsubscribe?: () => void;
}

type Label = { key: string; value: string };

export function shortId(id: string): string {
  return id.slice(0, 8);
}

function hardwareText({ hardware, keepActive }: Workspace): string {
  const gpu = hardware.gpuKind ? ` · GPU ${hardware.gpuKind}` : "";
  const cpus = `${hardware.cpus} ${hardware.cpuKind.toLowerCase()} ${hardware.cpus === 1 ? "CPU" : "CPUs"}`;
  return `${cpus} · ${hardware.memoryMb} MB · ${hardware.volumeSizeGb} GB${gpu}${keepActive ? " · keep active" : ""}`;
}

/** A live line's reason: why it stopped or failed, when the workspace says. */
function liveReason(workspace: Workspace): string {
  if (workspace.status === "ERROR" || workspace.status === "STOP_FAILED") {
    return workspace.errorMessage ? `error: ${workspace.errorMessage}` : "error";
  }
  return stopReasonText(workspace).replace(/^stopp(ing|ed): /, "");
}

/** The project's workspaces, each row kept live by its own `workspaceStatus` subscription. */
export class WorkspaceList {
  private readonly rows = new Map<string, Row>();
  private labelFilter: Label[] = [];
  /** One clock for every countdown on the page. */
  private readonly clock = setInterval(() => this.tick(), 1_000);

  constructor(
    private readonly list: HTMLUListElement,
    private readonly empty: HTMLElement,
    private readonly host: ListHost,
  ) {}

  /** Shows only the rows with every one of these labels (an empty filter shows all). */
  filter(labels: Label[]): number {
    this.labelFilter = labels;
    for (const row of this.rows.values()) this.applyFilter(row);
    this.syncEmpty();
    return [...this.rows.values()].filter((row) => !row.view.element.hidden).length;
  }

  private applyFilter({ workspace, view }: Row): void {
    view.element.hidden = !this.labelFilter.every(({ key, value }) =>
      workspace.labels.some((label) => label.key === key && label.value === value),
    );
  }

  private tick(): void {
    const now = Date.now();
    for (const { workspace, view } of this.rows.values()) {
      if (workspace.status === "RUNNING") view.schedule.textContent = stopsInText(workspace, now);
    }
  }

  /** Stops the clock (tests, or a page that goes away). */
  dispose(): void {
    clearInterval(this.clock);
  }

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
      history: [{ at: workspace.updatedAt, text: workspace.status, status: workspace.status }],
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
    this.continueHistory(row);
    this.render(row);
    if (previous !== workspace.status) {
      this.host.announce(`Workspace ${shortId(workspace.id)} is ${workspace.status}.`);
    }
  }

  /** Adds a line when the status moved past the history's last one (a live change). */
  private continueHistory(row: Row): void {
    const { workspace, history } = row;
    const last = history.findLast((line) => line.status)?.status;
    if (last === workspace.status) return;
    const reason = liveReason(workspace);
    history.push({
      at: workspace.updatedAt,
      text: `${last ?? "?"} → ${workspace.status}${reason ? ` · ${reason}` : ""}`,
      status: workspace.status,
    });
  }

  /** The server's history (from before the page opened), then the live lines go on from it. */
  private loadHistory(row: Row): Promise<void> {
    row.historyLoad ??= this.host
      .history(row.workspace.id)
      .then((events) => {
        row.history = events.map((event) => ({
          at: event.at,
          text: eventText(event, (userId) => this.host.who(userId)),
          status: event.toStatus ?? (event.type === "CREATED" ? "CREATING" : undefined),
        }));
        this.continueHistory(row);
        this.render(row);
      })
      .catch((error: unknown) => {
        row.historyLoad = undefined;
        this.message(row, `History: ${error instanceof Error ? error.message : "not loaded"}`);
      });
    return row.historyLoad;
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
    const keepAlive = button(
      "Keep alive",
      () => void this.act(row(), () => this.host.keepAlive(id)),
    );
    const row = () => this.rows.get(id) as Row;
    const resizeSlot = h("div", { class: "resize-slot", hidden: true });
    const resizeToggle = h(
      "button",
      {
        type: "button",
        class: "toggle",
        "aria-expanded": "false",
        onclick: () => this.toggleResize(row()),
      },
      "Resize",
      h("span", { class: "visually-hidden" }, ` workspace ${name}`),
    );
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
          if (!details.hidden) void this.loadHistory(row());
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
    const labels = h("ul", { class: "labels", "aria-label": `Labels of workspace ${name}` });
    const schedule = h("span", { class: "schedule" });
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
        schedule,
        h("span", { class: "actions" }, keepAlive, stop, start, resizeToggle, remove, toggle),
      ),
      labels,
      message,
      resizeSlot,
      details,
    );
    return {
      element,
      badge,
      hardware,
      labels,
      schedule,
      message,
      fields,
      history,
      stop,
      start,
      remove,
      keepAlive,
      resizeToggle,
      resizeSlot,
      actions: [stop, start, remove, keepAlive],
    };
  }

  /** Opens (building it the first time) or closes the row's resize form. */
  private toggleResize(row: Row): void {
    const { view, workspace } = row;
    const open = view.resizeSlot.hidden;
    view.resizeSlot.hidden = !open;
    view.resizeToggle.setAttribute("aria-expanded", String(open));
    if (!open) return;
    if (!view.resize) {
      view.resize = new ResizeForm<Workspace>(
        workspace.id,
        shortId(workspace.id),
        this.host.options(),
        (hardware) => this.host.resize(workspace.id, hardware),
        (resized) => {
          this.update(resized);
          view.resizeSlot.hidden = true;
          view.resizeToggle.setAttribute("aria-expanded", "false");
          this.host.announce(
            `Workspace ${shortId(resized.id)} resized: applied at the next start.`,
          );
        },
        (message) => this.host.announce(message),
      );
      view.resizeSlot.append(view.resize.element);
    }
    view.resize.fill(row.workspace.hardware);
  }

  private render(row: Row): void {
    const { workspace, history, view } = row;
    const { status } = workspace;
    view.badge.textContent = status;
    view.badge.dataset.status = status;
    view.hardware.textContent = hardwareText(workspace);
    view.schedule.textContent =
      status === "RUNNING" ? stopsInText(workspace, Date.now()) : stopReasonText(workspace);
    // The due time the countdown counts to (tests and tools read it; the text is for people).
    view.schedule.dataset.due = status === "RUNNING" ? (workspace.autoStopAt ?? "") : "";
    view.labels.replaceChildren(
      ...workspace.labels.map(({ key, value }) =>
        h("li", { class: "chip", title: `${key}=${value}` }, `${key}=${value}`),
      ),
    );
    view.labels.hidden = workspace.labels.length === 0;
    // A viewer watches: actions its role may not take are not offered.
    const mayAct = this.host.mayAct();
    for (const action of [...view.actions, view.resizeToggle]) action.hidden = !mayAct;
    view.stop.disabled = !(status === "RUNNING" || status === "STOP_FAILED");
    view.start.disabled = !(status === "STOPPED" || status === "ERROR");
    view.keepAlive.hidden = !mayAct || status !== "RUNNING";
    view.keepAlive.disabled = false;
    view.resizeToggle.hidden = !mayAct || status !== "STOPPED";
    if (view.resizeToggle.hidden) view.resizeSlot.hidden = true;
    view.remove.disabled = false;
    this.applyFilter(row);
    this.syncEmpty();
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
          ` ${entry.text}`,
        ),
      ),
    );
  }

  private syncEmpty(): void {
    const shown = [...this.rows.values()].some((row) => !row.view.element.hidden);
    this.empty.hidden = shown;
    this.empty.textContent =
      this.rows.size > 0
        ? "No workspace has every label of the filter."
        : "No workspaces in this project yet.";
  }
}
