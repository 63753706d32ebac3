import type { HardwareInput } from "../generated/graphql.js";
import { fieldKey } from "./field-key.js";

export interface Issue {
  field: string;
  message: string;
}

/** The hardware form: reads its inputs and shows each issue next to the input it is about. */
export class HardwareForm {
  private readonly inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();

  constructor(
    form: HTMLFormElement,
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

  fill(hardware: {
    cpuKind: string;
    cpus: number;
    memoryMb: number;
    volumeSizeGb: number;
    gpuKind: string | null;
  }): void {
    this.input("cpuKind").value = hardware.cpuKind;
    this.input("cpus").value = String(hardware.cpus);
    this.input("memoryMb").value = String(hardware.memoryMb);
    this.input("volumeSizeGb").value = String(hardware.volumeSizeGb);
    this.input("gpuKind").value = hardware.gpuKind ?? "";
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

  /** Shows each issue beside its field; issues about no field of the form go to `general`. */
  showIssues(message: string, issues: Issue[]): void {
    this.clear();
    const unplaced: string[] = [];
    let first: HTMLElement | undefined;
    for (const issue of issues) {
      const input = this.inputs.get(fieldKey(issue.field));
      const slot = input && document.getElementById(`${input.id}-error`);
      if (!input || !slot) {
        unplaced.push(issue.message);
        continue;
      }
      slot.textContent = slot.textContent ? `${slot.textContent} ${issue.message}` : issue.message;
      input.setAttribute("aria-invalid", "true");
      first ??= input;
    }
    this.general.textContent = [message, ...unplaced].join(" ");
    first?.focus();
  }

  clear(): void {
    this.general.textContent = "";
    for (const input of this.inputs.values()) {
      input.removeAttribute("aria-invalid");
      const slot = document.getElementById(`${input.id}-error`);
      if (slot) slot.textContent = "";
    }
  }
}
