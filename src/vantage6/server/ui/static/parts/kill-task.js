// Killing a task, with a confirmation first: POST /kill/task stops its runs that have not
// finished, and those of its subtasks; the nodes stop their algorithms.

import * as api from "../core/api.js";
import { confirmedAction } from "./confirmed-action.js";

/** A "Kill" button for task `id` called `what` ("task 12 “average”"), in an area where it
 * asks first; onKilled(answer) once the server has killed the runs. */
export function killButton({ id, what, onKilled }) {
  return confirmedAction({
    label: "Kill",
    question: `Kill ${what}?`,
    explanation: "Its runs that have not finished, and those of its subtasks, are stopped.",
    groupLabel: "Confirm kill",
    confirmLabel: "Yes, kill it",
    busyLabel: "Killing…",
    act: async () => (await api.request("POST", "/kill/task", { body: { id } })).answer,
    onDone: onKilled,
  });
}
