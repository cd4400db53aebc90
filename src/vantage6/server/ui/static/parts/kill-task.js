// Killing a task, with a confirmation first: POST /kill/task stops its runs that have not
// finished, and those of its subtasks; the nodes stop their algorithms.

import * as api from "../core/api.js";
import { h, replace } from "../core/dom.js";
import { whileBusy } from "./forms.js";
import { quiet } from "../core/states.js";

/** A "Kill" button for task `id` called `what` ("task 12 “average”"), in an area where it
 * asks first; onKilled(answer) once the server has killed the runs. */
export function killButton({ id, what, onKilled }) {
  const area = h("div", { class: "deletion" });
  const start = h("button", { type: "button", class: "danger" }, "Kill");
  start.addEventListener("click", () => {
    start.hidden = true;
    replace(area, confirmation({ id, what, cancel, onKilled: killed }));
    area.querySelector(".question").focus();
  });
  function cancel() {
    replace(area);
    start.hidden = false;
    start.focus();
  }
  function killed(answer) {
    replace(area);
    start.hidden = false;
    onKilled(answer);
  }
  return h("div", { class: "deletion-control" }, start, area);
}

function confirmation({ id, what, onKilled, cancel }) {
  const question = h("p", { class: "question", tabindex: "-1" }, `Kill ${what}?`);
  const problem = h("div");
  const confirm = h("button", { type: "button", class: "danger" }, "Yes, kill it");
  const back = h("button", { type: "button", class: "secondary", onclick: cancel }, "Cancel");
  const box = h(
    "div",
    { class: "confirm", role: "group", "aria-label": "Confirm kill" },
    question,
    h("p", {}, "Its runs that have not finished, and those of its subtasks, are stopped."),
    problem,
    h("div", { class: "actions" }, confirm, back),
  );
  confirm.addEventListener("click", async () => {
    replace(problem);
    let sent;
    try {
      sent = await whileBusy(box, confirm, "Killing…", () =>
        api.request("POST", "/kill/task", { body: { id } }),
      );
    } catch (error) {
      if (!quiet(error)) replace(problem, h("p", { class: "error", role: "alert" }, error.message));
      return;
    }
    onKilled(sent.answer);
  });
  return box;
}
