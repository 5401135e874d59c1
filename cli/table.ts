/** Plain-text tables for people (scripts use --json). No colours, so output can be piped and diffed. */

interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => unknown;
}

const MAX_CELL = 60;

function cellText(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  const text =
    typeof value === 'string' ? value : Array.isArray(value) ? value.join(',') : JSON.stringify(value);
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > MAX_CELL ? `${oneLine.slice(0, MAX_CELL - 1)}…` : oneLine;
}

/** Renders rows under upper-case headers, columns padded to their widest cell; "(none)" when empty. */
function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  if (rows.length === 0) return '(none)\n';
  const cells = rows.map((row) => columns.map((column) => cellText(column.value(row))));
  const headers = columns.map((column) => column.header.toUpperCase());
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((line) => line[i]!.length)));
  const format = (line: readonly string[]): string =>
    line
      .map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[format(headers), ...cells.map(format)].join('\n')}\n`;
}

/** Renders one object as aligned `key  value` lines. */
function renderFields(fields: ReadonlyArray<readonly [string, unknown]>): string {
  const width = Math.max(...fields.map(([name]) => name.length));
  return `${fields.map(([name, value]) => `${name.padEnd(width)}  ${cellText(value)}`).join('\n')}\n`;
}

export type { Column };
export { renderFields, renderTable };
