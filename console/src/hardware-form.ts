import type { HardwareInput } from "../generated/graphql.js";
import { showLines } from "./dom.js";
import { fieldKey } from "./field-key.js";

/** A hardware issue as the server words it for a person (`HardwareIssue.displayMessage`). */
export interface Issue {
  field: string;
  displayMessage: string;
}

export interface HardwareValues {
  cpuKind: string;
  cpus: number;
  memoryMb: number;
  volumeSizeGb: number;
  gpuKind: string | null;
}

/** The hardware form: reads its inputs and shows each issue next to the input it is about. */
export class HardwareForm {
  private readonly inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();

  constructor(
    private readonly form: HTMLFormElement,
    private readonly general: HTMLElement,
  ) {
    for (const input of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>(
      "input[name], select[name]",
    )) {
      this.inputs.set(fieldKey(input.name), input);
    }
  }

  private input(name: string): HTMLInputElement | HTMLSelectElement {
    const input = this.inputs.get(fieldKey(name));
    if (!input) throw new Error(`the hardware form has no ${name} input`);
    return input;
  }

  fill(hardware: HardwareValues): void {
    this.input("cpuKind").value = hardware.cpuKind;
    this.input("cpus").value = String(hardware.cpus);
    this.input("memoryMb").value = String(hardware.memoryMb);
    this.input("volumeSizeGb").value = String(hardware.volumeSizeGb);
    this.input("gpuKind").value = hardware.gpuKind ?? "";
  }

  /** Back to `hardware` with no messages: what another project starts from. */
  reset(hardware: HardwareValues): void {
    this.form.reset();
    this.clear();
    this.fill(hardware);
  }

  read(): { hardware: HardwareInput; keepActive: boolean } {
    // An empty number field is left out: the server fills it from the defaults.
    const number = (name: string) => {
      const value = this.input(name).value.trim();
      return value === "" ? undefined : Number(value);
    };
    const gpuKind = this.input("gpuKind").value.trim();
    return {
      hardware: {
        cpuKind: this.input("cpuKind").value as HardwareInput["cpuKind"],
        cpus: number("cpus"),
        memoryMb: number("memoryMb"),
        volumeSizeGb: number("volumeSizeGb"),
        gpuKind: gpuKind === "" ? null : gpuKind,
      },
      keepActive: (this.input("keepActive") as HTMLInputElement).checked,
    };
  }

  /**
   * The summary goes to `general`, each issue beside its field, one per line; issues about no
   * field of the form go under the summary.
   */
  showIssues(summary: string, issues: Issue[]): void {
    this.clear();
    const placed = new Map<HTMLElement, string[]>();
    const unplaced: string[] = [];
    let first: HTMLElement | undefined;
    for (const issue of issues) {
      const input = this.inputs.get(fieldKey(issue.field));
      const slot = input && document.getElementById(`${input.id}-error`);
      if (!input || !slot) {
        unplaced.push(issue.displayMessage);
        continue;
      }
      placed.set(slot, [...(placed.get(slot) ?? []), issue.displayMessage]);
      input.setAttribute("aria-invalid", "true");
      first ??= input;
    }
    for (const [slot, messages] of placed) showLines(slot, messages);
    showLines(this.general, [summary, ...unplaced]);
    first?.focus();
  }

  clear(): void {
    this.general.replaceChildren();
    for (const input of this.inputs.values()) {
      input.removeAttribute("aria-invalid");
      document.getElementById(`${input.id}-error`)?.replaceChildren();
    }
  }
}
