// How a run's (or a task's) status reads: a tag coloured by where the run is in its life
// (open, completed, or ended otherwise), its times in the user's local time, and how long it
// ran. The statuses are vantage6.common.task_status's.

import { h } from "../core/dom.js";

const OPEN = new Set(["pending", "initializing", "active"]);
const COMPLETED = "completed";

/** Whether a run in `status` may still change (and can be killed). */
export function isOpen(status) {
  return OPEN.has(status);
}

/** A tag showing `status`. */
export function statusTag(status) {
  const kind = isOpen(status) ? "open" : status === COMPLETED ? "completed" : "ended";
  return h("span", { class: `tag status run-${kind}` }, status);
}

/** A moment from the server, in the user's local time; "" when there is none. */
export function moment(time) {
  return time ? new Date(time).toLocaleString() : "";
}

/** How long a run ran: from its start to its end, or until now while it runs. */
export function duration({ started_at: started, finished_at: finished }, now = Date.now()) {
  if (!started) return "";
  const end = finished ? Date.parse(finished) : now;
  const text = spoken(Math.max(0, end - Date.parse(started)));
  return finished ? text : `${text} so far`;
}

function spoken(milliseconds) {
  if (milliseconds < 1000) return "under a second";
  const seconds = Math.round(milliseconds / 1000);
  const parts = [
    [Math.floor(seconds / 3600), "h"],
    [Math.floor((seconds % 3600) / 60), "min"],
    [seconds % 60, "s"],
  ];
  return parts
    .filter(([amount]) => amount > 0)
    .map(([amount, unit]) => `${amount} ${unit}`)
    .join(" ");
}
