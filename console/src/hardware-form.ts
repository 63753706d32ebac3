import type {
  CpuKind,
  HardwareInput,
  ConsoleHardwareOptionsFragment as HardwareOptions,
} from "../generated/graphql.js";
import { h, showLines } from "./dom.js";
import { fieldKey } from "./field-key.js";

export type { HardwareOptions };

/** A hardware issue as the server words it for a person (`FieldError.displayMessage`). */
export interface Issue {
  field: string;
  displayMessage: string;
}

export interface HardwareValues {
  cpuKind: CpuKind;
  cpus: number;
  memoryMb: number;
  volumeSizeGb: number;
  gpuKind: string | null;
}

/** The select's value for "no GPU": also what is sent, since `null` would mean "left out". */
const NO_GPU = "";

/** "SHARED" → "shared": kinds in the person's words, as the server's messages say them. */
function kindWord(kind: CpuKind): string {
  return kind.toLowerCase();
}

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** The value of `values` closest to `wanted` (the first on a tie); `wanted` itself when allowed. */
function nearest(values: number[], wanted: number): number | undefined {
  let best: number | undefined;
  for (const value of values) {
    if (best === undefined || Math.abs(value - wanted) < Math.abs(best - wanted)) best = value;
  }
  return best;
}

/** Replaces a select's choices; keeps the wanted value, else the nearest, else the first. */
function setChoices(select: HTMLSelectElement, values: number[], wanted: number): void {
  select.replaceChildren(
    ...values.map((value) => h("option", { value: String(value) }, String(value))),
  );
  const chosen = nearest(values, wanted);
  if (chosen !== undefined) select.value = String(chosen);
}

/**
 * The hardware form, built from `hardwareOptions`: every choice it offers passes the hardware
 * rules except a volume size typed out of bounds (the server words that one). It reads its
 * inputs and shows each issue next to the input it is about.
 */
export class HardwareForm {
  private readonly inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  private readonly cpuKind: HTMLSelectElement;
  private readonly cpus: HTMLSelectElement;
  private readonly memoryMb: HTMLSelectElement;
  private readonly volumeSizeGb: HTMLInputElement;
  private readonly gpuKind: HTMLSelectElement;
  private options: HardwareOptions = {
    cpuKinds: [],
    volumeSizeGb: { min: 1, max: 1 },
    gpuKinds: [],
  };

  constructor(
    private readonly form: HTMLFormElement,
    private readonly general: HTMLElement,
    /** Says a choice the form changed by itself (a GPU needs its CPU kind). */
    private readonly announce: (message: string) => void,
  ) {
    for (const input of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>(
      "input[name], select[name]",
    )) {
      this.inputs.set(fieldKey(input.name), input);
    }
    this.cpuKind = this.input("cpuKind") as HTMLSelectElement;
    this.cpus = this.input("cpus") as HTMLSelectElement;
    this.memoryMb = this.input("memoryMb") as HTMLSelectElement;
    this.volumeSizeGb = this.input("volumeSizeGb") as HTMLInputElement;
    this.gpuKind = this.input("gpuKind") as HTMLSelectElement;
    this.cpuKind.addEventListener("change", () => this.cpuKindChanged());
    this.cpus.addEventListener("change", () => this.syncMemory(Number(this.memoryMb.value)));
    this.gpuKind.addEventListener("change", () => this.gpuKindChanged());
  }

  private input(name: string): HTMLInputElement | HTMLSelectElement {
    const input = this.inputs.get(fieldKey(name));
    if (!input) throw new Error(`the hardware form has no ${name} input`);
    return input;
  }

  /** The choices on offer; `fill` or `reset` then sets the values. */
  offer(options: HardwareOptions): void {
    this.options = options;
    this.cpuKind.replaceChildren(
      ...options.cpuKinds.map(({ kind }) =>
        h("option", { value: kind }, capitalised(kindWord(kind))),
      ),
    );
    this.gpuKind.replaceChildren(
      h("option", { value: NO_GPU }, "None"),
      ...options.gpuKinds.map(({ kind }) => h("option", { value: kind }, kind)),
    );
    const { min, max } = options.volumeSizeGb;
    this.volumeSizeGb.min = String(min);
    this.volumeSizeGb.max = String(max);
    const help = (id: string) => this.byId(`${id}-help`);
    const volumeHelp = help(this.volumeSizeGb.id);
    if (volumeHelp) volumeHelp.textContent = `${min} to ${max} GB.`;
    const gpuHelp = help(this.gpuKind.id);
    if (gpuHelp) {
      const needs = [...new Set(options.gpuKinds.map((gpu) => kindWord(gpu.cpuKind)))];
      gpuHelp.textContent =
        needs.length === 0
          ? "No GPUs are on offer."
          : needs.length === 1
            ? `A GPU needs ${needs[0]} CPUs.`
            : "Each GPU needs the CPU kind it runs with.";
    }
  }

  /** An element of this form: row forms are built before they are in the document. */
  private byId(id: string): HTMLElement | null {
    return this.form.querySelector<HTMLElement>(`[id="${CSS.escape(id)}"]`);
  }

  private countsOf(kind: string) {
    return this.options.cpuKinds.find((option) => option.kind === kind)?.cpuCounts ?? [];
  }

  /** The CPU counts of the chosen kind, keeping `wanted` or the nearest allowed. */
  private syncCpus(wanted: number): void {
    setChoices(
      this.cpus,
      this.countsOf(this.cpuKind.value).map((count) => count.cpus),
      wanted,
    );
  }

  /** The memory allowed with the chosen kind and count, keeping `wanted` or the nearest allowed. */
  private syncMemory(wanted: number): void {
    const range = this.countsOf(this.cpuKind.value).find(
      (count) => count.cpus === Number(this.cpus.value),
    )?.memoryMb;
    const values: number[] = [];
    if (range) for (let mb = range.min; mb <= range.max; mb += range.step) values.push(mb);
    setChoices(this.memoryMb, values, wanted);
  }

  private cpuKindChanged(): void {
    this.syncCpus(Number(this.cpus.value));
    this.syncMemory(Number(this.memoryMb.value));
    const gpu = this.options.gpuKinds.find((option) => option.kind === this.gpuKind.value);
    if (gpu && gpu.cpuKind !== this.cpuKind.value) {
      this.gpuKind.value = NO_GPU;
      this.announce(`GPU set to none: a ${gpu.kind} GPU needs ${kindWord(gpu.cpuKind)} CPUs.`);
    }
  }

  private gpuKindChanged(): void {
    const gpu = this.options.gpuKinds.find((option) => option.kind === this.gpuKind.value);
    if (!gpu || gpu.cpuKind === this.cpuKind.value) return;
    this.cpuKind.value = gpu.cpuKind;
    this.syncCpus(Number(this.cpus.value));
    this.syncMemory(Number(this.memoryMb.value));
    this.announce(`CPU kind set to ${kindWord(gpu.cpuKind)}: a ${gpu.kind} GPU needs it.`);
  }

  /** Shows `hardware`, each value moved to the nearest choice on offer when it is not one. */
  fill(hardware: HardwareValues): void {
    this.cpuKind.value = hardware.cpuKind;
    if (this.cpuKind.selectedIndex < 0) this.cpuKind.selectedIndex = 0;
    this.syncCpus(hardware.cpus);
    this.syncMemory(hardware.memoryMb);
    this.volumeSizeGb.value = String(hardware.volumeSizeGb);
    const offered = this.options.gpuKinds.some((option) => option.kind === hardware.gpuKind);
    this.gpuKind.value = offered && hardware.gpuKind ? hardware.gpuKind : NO_GPU;
  }

  /** Back to `hardware` with no messages: what another project starts from. */
  reset(hardware: HardwareValues): void {
    this.form.reset();
    this.clear();
    this.fill(hardware);
  }

  read(): { hardware: HardwareInput; keepActive: boolean } {
    // An empty volume field is left out: the server fills it from the defaults.
    const volume = this.volumeSizeGb.value.trim();
    return {
      hardware: {
        cpuKind: this.cpuKind.value as CpuKind,
        cpus: Number(this.cpus.value),
        memoryMb: Number(this.memoryMb.value),
        volumeSizeGb: volume === "" ? undefined : Number(volume),
        // Always sent: "" says "no GPU", so a GPU in the defaults does not stick.
        gpuKind: this.gpuKind.value,
      },
      // A resize form has no such box.
      keepActive:
        (this.inputs.get(fieldKey("keepActive")) as HTMLInputElement | undefined)?.checked ?? false,
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
      const slot = input && this.byId(`${input.id}-error`);
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
      this.byId(`${input.id}-error`)?.replaceChildren();
    }
  }
}
