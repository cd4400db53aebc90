// A button for an action that cannot be undone (delete, kill): it asks first, in an area
// below it, and only the explicit "Yes" sends the request. A refusal shows the server's
// message there and leaves the question open, so the user can cancel or try again; the
// caller may then offer another choice in place of the "Yes" (deletion.js: "delete what it
// still has along").

import { h, replace } from "../core/dom.js";
import { whileBusy } from "./forms.js";
import { quiet } from "../core/states.js";

/**
 * The control: `label` on the button; `question` (focused when asked) and `explanation` in
 * the area, labelled `groupLabel`; `confirmLabel` runs act() (`busyLabel` meanwhile), and
 * onDone(answer) gets its result. onRefused(error, insteadOf) may call insteadOf(label,
 * act) to replace the "Yes" with another choice.
 */
export function confirmedAction({
  label,
  question,
  explanation,
  groupLabel,
  confirmLabel,
  busyLabel,
  act,
  onDone,
  onRefused = () => {},
}) {
  const area = h("div", { class: "deletion" });
  const start = h("button", { type: "button", class: "danger" }, label);
  const close = () => {
    replace(area);
    start.hidden = false;
  };
  start.addEventListener("click", () => {
    start.hidden = true;
    const asked = { question, explanation, groupLabel, confirmLabel, busyLabel, onRefused };
    const cancel = () => {
      close();
      start.focus();
    };
    const done = (answer) => {
      close();
      onDone(answer);
    };
    replace(area, confirmation({ ...asked, act, cancel, done }));
    area.querySelector(".question").focus();
  });
  return h("div", { class: "deletion-control" }, start, area);
}

function confirmation({ question, explanation, groupLabel, confirmLabel, busyLabel, ...then }) {
  const asking = h("p", { class: "question", tabindex: "-1" }, question);
  const problem = h("div", { class: "problem" });
  const confirm = h("button", { type: "button", class: "danger" }, confirmLabel);
  const back = h("button", { type: "button", class: "secondary", onclick: then.cancel }, "Cancel");
  const choices = h("div", { class: "actions" }, confirm, back);
  const box = h(
    "div",
    { class: "confirm", role: "group", "aria-label": groupLabel },
    asking,
    h("p", {}, explanation),
    problem,
    choices,
  );

  async function run(button, act) {
    replace(problem);
    let answer;
    try {
      answer = await whileBusy(box, button, busyLabel, act);
    } catch (error) {
      if (quiet(error)) return;
      replace(problem, h("p", { class: "error", role: "alert" }, error.message));
      then.onRefused(error, insteadOf);
      return;
    }
    then.done(answer);
  }

  function insteadOf(label, act) {
    const other = h("button", { type: "button", class: "danger" }, label);
    other.addEventListener("click", () => run(other, act));
    confirm.hidden = true;
    problem.append(h("div", { class: "actions" }, other));
  }

  confirm.addEventListener("click", () => run(confirm, then.act));
  return box;
}
