import { sentence } from "./sentence.js";

type Child = Node | string | null | undefined | false;
type Props = Record<string, string | boolean | undefined | ((event: Event) => void)>;

/** An element with attributes (`on…` functions become listeners) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else if (typeof value === "string") element.setAttribute(name, value);
  }
  for (const child of children) if (child) element.append(child);
  return element;
}

/** The element with this id; the page is static HTML, so a missing one is a bug. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element as T;
}

/** Each message on a line of its own, as a sentence: an `<li>` in a list, else a `<p>`. */
export function showLines(element: HTMLElement, messages: string[]): void {
  const tag = element instanceof HTMLUListElement ? "li" : "p";
  element.replaceChildren(
    ...messages
      .map(sentence)
      .filter((line) => line !== "")
      .map((line) => h(tag, {}, line)),
  );
}
