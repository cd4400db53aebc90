// Results that are tables, and their CSV.
//
// Algorithms return JSON (vantage6.algorithm.call.encode_result), which has no DataFrame: the
// algorithm tools write a returned DataFrame as its to_dict, and an algorithm may also hand
// back one of pandas' other to_dict forms:
//
//     df.to_dict()                   {column: {index: value}}   (orient "dict"; the tools' form)
//     df.to_dict(orient="list")      {column: [value, ...]}
//     df.to_dict(orient="records")   [{column: value}, ...]
//
// so those three shapes are tables: a list of records, a dict of column lists, and a dict of
// columns keyed by the index, which then comes first as the "index" column. Every cell must
// be a plain value (text, number, true/false or null); anything nested is not a table.

const INDEX = "index";
// Cells a spreadsheet would run as a formula (OWASP's "CSV injection" list).
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** `value` as `{columns, rows}` (rows are arrays of cells, in column order), or null when it
 * is not one of the table shapes. */
export function asTable(value) {
  if (Array.isArray(value)) return recordsTable(value);
  if (!isRecord(value)) return null;
  const columns = Object.keys(value);
  if (columns.length === 0) return null;
  const cells = Object.values(value);
  if (cells.every(Array.isArray)) return columnListsTable(columns, cells);
  if (cells.every(isRecord)) return indexedColumnsTable(columns, cells);
  return null;
}

/** RFC 4180 CSV of a table: CRLF line ends, fields quoted when they hold a quote, comma or
 * line break, quotes doubled. Text that a spreadsheet would take for a formula gets a
 * leading apostrophe; numbers are written as numbers, null and NaN as empty fields. */
export function tableCsv({ columns, rows }) {
  return [columns, ...rows].map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}

function recordsTable(records) {
  if (records.length === 0 || !records.every(isRecord)) return null;
  const columns = [...new Set(records.flatMap((record) => Object.keys(record)))];
  if (columns.length === 0) return null;
  const rows = records.map((record) => columns.map((column) => record[column] ?? null));
  return rows.every((row) => row.every(isCell)) ? { columns, rows } : null;
}

function columnListsTable(columns, lists) {
  const length = lists[0].length;
  if (length === 0 || !lists.every((list) => list.length === length && list.every(isCell))) {
    return null;
  }
  const rows = Array.from({ length }, (_, index) => lists.map((list) => list[index]));
  return { columns, rows };
}

function indexedColumnsTable(columns, byIndex) {
  const index = Object.keys(byIndex[0]);
  const sameIndex = (column) =>
    Object.keys(column).length === index.length &&
    index.every((key) => Object.hasOwn(column, key));
  if (index.length === 0 || columns.includes(INDEX) || !byIndex.every(sameIndex)) return null;
  const rows = index.map((key) => [key, ...byIndex.map((column) => column[key])]);
  return rows.every((row) => row.every(isCell)) ? { columns: [INDEX, ...columns], rows } : null;
}

function csvField(cell) {
  if (cell === null || Number.isNaN(cell)) return "";
  let text = String(cell);
  if (typeof cell === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function isRecord(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isCell(value) {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}
