// A decoded result (formats/result.js) on screen: a table when it is one (formats/tabular.js),
// else a JSON tree, with downloads of it as JSON and, for tables, CSV. A result too large to
// show well is offered as downloads only; bytes that are not JSON as a file.

import { h } from "../core/dom.js";
import { asTable, tableCsv } from "../formats/tabular.js";
import { dataTable } from "./data-table.js";
import { jsonTree } from "./json-tree.js";

export { resultsChart } from "./results-chart.js";

/** Bytes of JSON above which the result is not drawn: the page would grow slow. */
export const SIZE_LIMIT = 1_000_000;

/** `value` (a decoded result's value, or its bytes as a Uint8Array) shown; downloads are named
 * after `name`. */
export function resultView(value, { name = "result" } = {}) {
  const file = name.replace(/[^\w.-]+/g, "-");
  if (value instanceof Uint8Array) {
    return h(
      "div",
      { class: "result-view" },
      h("p", {}, `Binary result, ${value.length} bytes: it is not JSON.`),
      h(
        "div",
        { class: "actions" },
        downloadButton("Download file", `${file}.bin`, "application/octet-stream", () => value),
      ),
    );
  }
  // JSON has no NaN or ±Infinity: as in any JSON writer but Python's, they become null.
  const json = JSON.stringify(value) ?? "null";
  const size = new TextEncoder().encode(json).length;
  const table = asTable(value);
  const downloads = h(
    "div",
    { class: "actions" },
    downloadButton("Download JSON", `${file}.json`, "application/json", () => json),
    table && downloadButton("Download CSV", `${file}.csv`, "text/csv", () => tableCsv(table)),
  );
  if (size > SIZE_LIMIT) {
    const megabytes = (size / 1e6).toFixed(1);
    return h(
      "div",
      { class: "result-view" },
      h(
        "p",
        {},
        `This result is ${megabytes} MB of JSON, more than this page shows (1 MB): download ` +
          "it to open it in another program.",
      ),
      downloads,
    );
  }
  const shown = table
    ? [
        dataTable(table, `Result as a table (${table.rows.length} rows)`),
        h("details", { class: "as-json" }, h("summary", {}, "As JSON"), jsonTree(value)),
      ]
    : jsonTree(value);
  return h("div", { class: "result-view" }, shown, downloads);
}

/** A button that saves `content()` (text or bytes) as `fileName`. */
function downloadButton(label, fileName, type, content) {
  const save = () => {
    const address = URL.createObjectURL(new Blob([content()], { type }));
    h("a", { href: address, download: fileName }).click();
    // The click has begun the download, which holds the data: the address is done with.
    setTimeout(() => URL.revokeObjectURL(address));
  };
  return h("button", { type: "button", class: "secondary", onclick: save }, label);
}
