// A task's runs, one row per organization: status, when the run was assigned, started and
// finished, how long it took, and the node's log of it.

import { h } from "../core/dom.js";
import { duration, moment, statusTag } from "./run-status.js";
import { empty } from "../core/states.js";

const COLUMNS = ["Organization", "Status", "Assigned", "Started", "Finished", "Duration", "Log"];

/** The table of `runs`; names maps organization ids to names. Logs whose run id is in
 * `openLogs` are shown open, and opening or closing one updates that set, so that a table
 * drawn again (live updates) keeps what the user opened. */
export function runsTable(runs, { names, openLogs }) {
  if (runs.length === 0) return empty("This task has no runs.");
  return h(
    "table",
    { class: "list runs" },
    h("thead", {}, h("tr", {}, COLUMNS.map((column) => h("th", { scope: "col" }, column)))),
    h(
      "tbody",
      {},
      runs.map((run) => runRow(run, names, openLogs)),
    ),
  );
}

/** The organization of a record (run or task) by name when known, else by id. */
export function organizationName(names, id) {
  return names.get(Number(id)) ?? `Organization ${Number(id)}`;
}

function runRow(run, names, openLogs) {
  const organization = Number(run.organization.id);
  const cells = [
    h("a", { href: `#/organizations/${organization}` }, organizationName(names, organization)),
    statusTag(run.status),
    moment(run.assigned_at),
    moment(run.started_at),
    moment(run.finished_at),
    duration(run),
    logOf(run, openLogs),
  ];
  return h(
    "tr",
    { "data-run": String(Number(run.id)) },
    cells.map((cell, index) => h("td", { "data-label": COLUMNS[index] }, cell)),
  );
}

function logOf(run, openLogs) {
  if (!run.log) return h("span", { class: "empty" }, "none yet");
  const id = Number(run.id);
  const log = h(
    "details",
    { class: "run-log", open: openLogs.has(id) },
    h("summary", {}, "Show log"),
    h("pre", {}, run.log),
  );
  log.addEventListener("toggle", () => (log.open ? openLogs.add(id) : openLogs.delete(id)));
  return log;
}
