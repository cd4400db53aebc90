// Form parts that pages share: labelled fields, a line that says how a request went, a
// submit button that shows the request is on its way, and a form made of them.

import { h } from "../core/dom.js";
import { quiet } from "../core/states.js";

/** A labelled input (or another control: attributes.tag, e.g. "select" with children). */
export function field(id, label, { tag = "input", children = [], ...attributes } = {}) {
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    h(tag, { id, name: id, ...attributes }, children),
  );
}

/** The value of the control in a field made by field(). */
export function valueOf(wrapper) {
  return wrapper.querySelector("input, select, textarea").value;
}

/** A line for the outcome of a request: say(text, "error" | "info"), empty when "". */
export function outcome() {
  const line = h("p", { class: "message", role: "status", "aria-live": "polite" });
  line.say = (text, kind = "info") => {
    line.textContent = text ?? "";
    line.className = `message ${kind}`;
    line.setAttribute("role", kind === "error" ? "alert" : "status");
  };
  return line;
}

/** Mark form busy (its button disabled, labelled `working`) while work() runs. */
export async function whileBusy(form, button, working, work) {
  const label = button.textContent;
  form.setAttribute("aria-busy", "true");
  button.disabled = true;
  button.textContent = working;
  try {
    return await work();
  } finally {
    form.removeAttribute("aria-busy");
    button.disabled = false;
    button.textContent = label;
  }
}

/**
 * A form of `children`, a line for the outcome and the submit button `submit` (then `buttons`
 * beside it). On submit, send(line) runs while the form shows it is busy (the button says
 * `working`); when the server refuses, the line shows its message. Returns {form, line, button}.
 */
export function sendingForm({ attributes = {}, children, submit, working, buttons = [], send }) {
  const line = outcome();
  const button = h("button", { type: "submit" }, submit);
  const form = h(
    "form",
    attributes,
    children,
    line,
    h("div", { class: "actions" }, button, buttons),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    line.say("");
    try {
      await whileBusy(form, button, working, () => send(line));
    } catch (error) {
      if (!quiet(error)) line.say(error.message, "error");
    }
  });
  return { form, line, button };
}
