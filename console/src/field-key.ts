/**
 * One key for an issue's field and a form input: `hardware.memory_mb` (REST names),
 * `hardware.memoryMb` (GraphQL names) and the input `memoryMb` all give `memorymb`.
 */
export function fieldKey(field: string): string {
  return field
    .replace(/^hardware\./, "")
    .replace(/_/g, "")
    .toLowerCase();
}
