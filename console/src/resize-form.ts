import type { HardwareInput } from "../generated/graphql.js";
import { h } from "./dom.js";
import {
  HardwareForm,
  type HardwareOptions,
  type HardwareValues,
  type Issue,
} from "./hardware-form.js";

/** What a resize comes back with: the workspace, or the server's summary and field issues. */
export type ResizeOutcome<W> = { workspace: W } | { message: string; issues: Issue[] };

/** One labelled input with its help and error slots, ids prefixed so every row's are unique. */
function field(
  prefix: string,
  name: string,
  label: string,
  control: "select" | "number",
): HTMLElement {
  const id = `${prefix}-${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
  const input =
    control === "select"
      ? h("select", { id, name, "aria-describedby": `${id}-help ${id}-error` })
      : h("input", {
          id,
          name,
          type: "number",
          inputmode: "numeric",
          step: "1",
          "aria-describedby": `${id}-help ${id}-error`,
        });
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    input,
    h("p", { id: `${id}-help`, class: "help" }),
    h("ul", { id: `${id}-error`, class: "field-error" }),
  );
}

/**
 * A stopped workspace's resize form: the create form's choices (hardwareOptions), filled with the
 * workspace's hardware; the server's messages (FieldError.displayMessage) go beside the fields.
 */
export class ResizeForm<W> {
  readonly element: HTMLFormElement;
  private readonly hardware: HardwareForm;

  constructor(
    workspaceId: string,
    name: string,
    options: HardwareOptions,
    private readonly submit: (hardware: HardwareInput) => Promise<ResizeOutcome<W>>,
    private readonly done: (workspace: W) => void,
    announce: (message: string) => void,
  ) {
    const prefix = `resize-${workspaceId}`;
    const message = h("div", { class: "message", role: "alert" });
    this.element = h(
      "form",
      { class: "resize", novalidate: true, "aria-label": `Resize workspace ${name}` },
      h(
        "fieldset",
        {},
        h("legend", {}, `Resize workspace ${name} (applied at the next start)`),
        field(prefix, "cpuKind", "CPU kind", "select"),
        field(prefix, "cpus", "CPUs", "select"),
        field(prefix, "memoryMb", "Memory (MB)", "select"),
        field(prefix, "volumeSizeGb", "Volume (GB)", "number"),
        field(prefix, "gpuKind", "GPU kind", "select"),
      ),
      h("button", { type: "submit" }, "Resize"),
      message,
    );
    this.hardware = new HardwareForm(this.element, message, announce);
    this.hardware.offer(options);
    this.element.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.send();
    });
  }

  fill(hardware: HardwareValues): void {
    this.hardware.clear();
    this.hardware.fill(hardware);
  }

  private async send(): Promise<void> {
    const button = this.element.querySelector<HTMLButtonElement>("button[type=submit]");
    this.hardware.clear();
    if (button) button.disabled = true;
    try {
      const outcome = await this.submit(this.hardware.read().hardware);
      if ("workspace" in outcome) this.done(outcome.workspace);
      else this.hardware.showIssues(outcome.message, outcome.issues);
    } finally {
      if (button) button.disabled = false;
    }
  }
}
