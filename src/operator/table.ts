/** Rows as aligned columns for a terminal; `empty` when there are none. */
export function table(
  rows: ReadonlyArray<Record<string, unknown>>,
  columns: readonly string[],
  empty: string,
): string {
  if (rows.length === 0) return empty;
  const cells = [
    columns.map((column) => column.toUpperCase().replaceAll("_", " ")),
    ...rows.map((row) =>
      columns.map((column) => (row[column] == null ? "-" : String(row[column]))),
    ),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]?.length ?? 0)));
  return cells
    .map((line) =>
      line
        .map((cell, i) => (i === columns.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join("  "),
    )
    .join("\n");
}
