/** Plain-text tables for the CLI's human output. */

/** A cell: numbers are right-aligned, `undefined` prints as `-`. */
export type Cell = string | number | undefined;

/** A table column: its header and how its cells align. */
export interface Column {
  readonly header: string;
  /** @default 'right' for columns whose cells are all numbers, else 'left' */
  readonly align?: 'left' | 'right';
  /** Colours a cell's text (padding stays outside the colour codes, so columns still line up). */
  readonly paint?: (text: string) => string;
}

/**
 * Renders rows under a header line, columns separated by two spaces, no trailing spaces.
 * An empty `rows` still prints the header.
 */
export function renderTable(
  columns: readonly (Column | string)[],
  rows: readonly (readonly Cell[])[],
): string {
  const specs = columns.map((column) => (typeof column === 'string' ? { header: column } : column));
  const text = rows.map((row) => specs.map((_, index) => cellText(row[index])));
  const widths = specs.map((spec, index) =>
    Math.max(spec.header.length, ...text.map((row) => (row[index] ?? '').length)),
  );
  const aligns = specs.map(
    (spec, index) =>
      spec.align ??
      (rows.some((row) => typeof row[index] === 'number') &&
      rows.every((row) => typeof row[index] === 'number' || row[index] === undefined)
        ? 'right'
        : 'left'),
  );
  const line = (cells: readonly string[], painted: boolean) =>
    cells
      .map((cell, index) => {
        const padding = ' '.repeat(Math.max(0, (widths[index] ?? 0) - cell.length));
        const paint = painted ? specs[index]?.paint : undefined;
        const shown = paint === undefined || cell === '-' ? cell : paint(cell);
        return aligns[index] === 'right' ? `${padding}${shown}` : `${shown}${padding}`;
      })
      .join('  ')
      .trimEnd();
  return [
    line(
      specs.map((spec) => spec.header),
      false,
    ),
    ...text.map((row) => line(row, true)),
  ].join('\n');
}

function cellText(cell: Cell): string {
  if (cell === undefined || cell === '') return '-';
  // Keep one row per line whatever the cell holds (error messages can span lines).
  return String(cell).replace(/\s*\n\s*/g, ' ');
}
