/**
 * Statistics and report formatting for `npm run bench`. Pure functions, unit-tested in
 * `test/unit/bench/stats.test.ts`.
 */

function sorted(values: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError('no samples');
  if (values.some((value) => Number.isNaN(value))) throw new RangeError('samples contain NaN');
  return [...values].sort((a, b) => a - b);
}

function percentileOfSorted(ascending: readonly number[], p: number): number {
  const rank = (p / 100) * (ascending.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const low = ascending[lower] as number;
  const high = ascending[upper] as number;
  return low + (high - low) * (rank - lower);
}

/**
 * The `p`th percentile (0–100) of `values`, interpolating linearly between the two closest ranks
 * (the method of numpy's default and of spreadsheets' PERCENTILE.INC). Throws on no samples.
 */
export function percentile(values: readonly number[], p: number): number {
  if (!Number.isFinite(p) || p < 0 || p > 100)
    throw new RangeError(`percentile must be in [0, 100], got ${p}`);
  return percentileOfSorted(sorted(values), p);
}

/** The median: the middle sample, or the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly median: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export function summarize(values: readonly number[]): Summary {
  const ascending = sorted(values);
  return {
    n: ascending.length,
    min: ascending[0] as number,
    median: percentileOfSorted(ascending, 50),
    p90: percentileOfSorted(ascending, 90),
    p99: percentileOfSorted(ascending, 99),
    max: ascending[ascending.length - 1] as number,
    mean: ascending.reduce((sum, value) => sum + value, 0) / ascending.length,
  };
}

/** `PASS` when `value` is at most `limit`, else `MISS` (targets here are all upper bounds). */
export function verdict(value: number, limit: number): 'PASS' | 'MISS' {
  return value <= limit ? 'PASS' : 'MISS';
}

/** A number with `digits` decimals, or 3 significant digits when it is small. */
export function fixed(value: number, digits = 1): string {
  if (value !== 0 && Math.abs(value) < 10 ** -digits * 10) return value.toPrecision(3);
  return value.toFixed(digits);
}

/** Bytes as `1 234 567 B (1.18 MiB)`. */
export function formatBytes(bytes: number): string {
  const grouped = String(Math.round(bytes)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  if (bytes < 1024) return `${grouped} B`;
  if (bytes < 1024 * 1024) return `${grouped} B (${(bytes / 1024).toFixed(1)} KiB)`;
  return `${grouped} B (${(bytes / 1024 / 1024).toFixed(2)} MiB)`;
}

/**
 * Rows as a plain-text table: columns padded to their widest cell, the first row as a header
 * underlined with dashes. Cells after the first are right-aligned (they are numbers) unless the
 * column's header starts with `<`, which is dropped.
 */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const header = rows[0];
  if (header === undefined) return [];
  const columns = Math.max(...rows.map((row) => row.length));
  const leftAligned = Array.from({ length: columns }, (_, i) => i === 0 || (header[i] ?? '').startsWith('<'));
  const cells = rows.map((row, r) =>
    Array.from({ length: columns }, (_, i) => {
      const cell = row[i] ?? '';
      return r === 0 && cell.startsWith('<') ? cell.slice(1) : cell;
    }),
  );
  const widths = Array.from({ length: columns }, (_, i) =>
    Math.max(...cells.map((row) => (row[i] ?? '').length)),
  );
  const render = (row: readonly string[]): string =>
    row
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        return leftAligned[i] ? cell.padEnd(width) : cell.padStart(width);
      })
      .join('  ')
      .trimEnd();
  const [first, ...rest] = cells;
  if (first === undefined) return [];
  return [render(first), widths.map((width) => '-'.repeat(width)).join('  '), ...rest.map(render)];
}
