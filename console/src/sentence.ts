/**
 * A server message as a sentence on its own line: capitalised, with a full stop. The words stay
 * the server's (it owns the rules); only the first letter and the ending are the page's.
 */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === "") return "";
  const capitalised = trimmed[0]?.toUpperCase() + trimmed.slice(1);
  return /[.!?…]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}
