// A table of a result (formats/tabular.js) that sorts by a column when its heading is
// pressed (a button: mouse or keyboard), ascending, then descending on the next press.
// Numbers sort as numbers and text in the reader's language; empty cells stay last.

import { h, replace } from "../core/dom.js";
import { showInChunks } from "./chunks.js";

const collator = new Intl.Collator(undefined, { numeric: true });
const DIRECTION = { ascending: 1, descending: -1 };
const EMPTY = 3; // the rank of null and NaN

/** `table` ({columns, rows}) as a sortable table, described by `caption`. */
export function dataTable({ columns, rows }, caption) {
  const body = h("tbody");
  const more = h("div", { class: "table-more" });
  let sorted = { column: null, direction: null };

  const show = (order) => {
    replace(body);
    replace(more, showInChunks(body, order, row));
  };
  const sortBy = (column) => {
    const direction =
      sorted.column === column && sorted.direction === "ascending" ? "descending" : "ascending";
    sorted = { column, direction };
    headings.forEach((heading, index) => {
      if (index === column) heading.setAttribute("aria-sort", direction);
      else heading.removeAttribute("aria-sort");
    });
    const factor = DIRECTION[direction];
    show(rows.toSorted((a, b) => compareCells(a[column], b[column], factor)));
  };
  const headings = columns.map((name, index) =>
    h(
      "th",
      { scope: "col" },
      h("button", { type: "button", class: "sort", onclick: () => sortBy(index) }, name),
    ),
  );
  show(rows);
  return h(
    "div",
    { class: "data-table" },
    h(
      "div",
      { class: "table-scroll", role: "region", "aria-label": caption, tabindex: "0" },
      h(
        "table",
        { class: "list result-table" },
        h("caption", {}, caption),
        h("thead", {}, h("tr", {}, headings)),
        body,
      ),
    ),
    more,
  );
}

function row(cells) {
  return h(
    "tr",
    {},
    cells.map((cell) => {
      const kind = typeof cell === "number" ? "number" : null;
      return h("td", { class: kind }, cell === null ? "" : String(cell));
    }),
  );
}

/** Empty cells (null, NaN) last whatever the direction; otherwise numbers before text before
 * true/false, each compared as what it is, in `factor`'s direction (1 or -1). */
function compareCells(a, b, factor) {
  const rankA = rank(a);
  const rankB = rank(b);
  if (rankA === EMPTY || rankB === EMPTY) return rankA - rankB;
  if (rankA !== rankB) return factor * (rankA - rankB);
  if (typeof a === "string") return factor * collator.compare(a, b);
  return factor * (Number(a) - Number(b));
}

function rank(cell) {
  if (cell === null || Number.isNaN(cell)) return EMPTY;
  return { number: 0, string: 1, boolean: 2 }[typeof cell];
}
