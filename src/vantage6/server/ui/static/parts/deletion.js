// Deleting a record, with a confirmation first. When the server refuses because the record
// still has dependents (400, "... add ?delete_dependents=true ..."), its message is shown and
// deleting those along is offered as a second, explicit choice.

import * as api from "../core/api.js";
import { h, replace } from "../core/dom.js";
import { whileBusy } from "./forms.js";
import { quiet } from "../core/states.js";

const WITH_DEPENDENTS = "delete_dependents";

/**
 * A "Delete" button that asks first: `what` names the record ("organization “Leiden”"),
 * `path` is its API path, onDeleted(answer) runs once the server has deleted it.
 */
export function deleteButton({ what, path, onDeleted }) {
  const area = h("div", { class: "deletion" });
  const start = h("button", { type: "button", class: "danger" }, "Delete");
  start.addEventListener("click", () => {
    start.hidden = true;
    replace(area, confirmation({ what, path, onDeleted, cancel }));
    area.querySelector(".question").focus();
  });
  function cancel() {
    replace(area);
    start.hidden = false;
    start.focus();
  }
  return h("div", { class: "deletion-control" }, start, area);
}

function confirmation({ what, path, onDeleted, cancel }) {
  const question = h("p", { class: "question", tabindex: "-1" }, `Delete ${what}?`);
  const problem = h("div", { class: "problem" });
  const confirm = h("button", { type: "button", class: "danger" }, `Yes, delete ${what}`);
  const back = h("button", { type: "button", class: "secondary", onclick: cancel }, "Cancel");
  const box = h(
    "div",
    { class: "confirm", role: "group", "aria-label": "Confirm deletion" },
    question,
    h("p", {}, "This cannot be undone."),
    problem,
    h("div", { class: "actions" }, confirm, back),
  );

  async function remove(button, address) {
    replace(problem);
    let answer;
    try {
      answer = await whileBusy(box, button, "Deleting…", () => api.request("DELETE", address));
    } catch (error) {
      if (quiet(error)) return;
      replace(problem, h("p", { class: "error", role: "alert" }, error.message));
      if (error.status === 400 && error.message.includes(WITH_DEPENDENTS)) {
        offerDependents();
      }
      return;
    }
    onDeleted(answer.answer);
  }

  function offerDependents() {
    const along = h(
      "button",
      { type: "button", class: "danger" },
      `Delete ${what} and everything it still has`,
    );
    along.addEventListener("click", () => remove(along, `${path}?${WITH_DEPENDENTS}=true`));
    confirm.hidden = true;
    problem.append(h("div", { class: "actions" }, along));
  }

  confirm.addEventListener("click", () => remove(confirm, path));
  return box;
}
