// What the password and recovery pages share: a card holding one form that sends one request,
// and a new password typed twice.

import { h, replace } from "../core/dom.js";
import { field, sendingForm, valueOf } from "./forms.js";

/**
 * Fill main with a card: heading, intro, the fields, a line for the outcome, the submit
 * button, then links. On submit, send(line) runs while the form shows it is busy; when the
 * server refuses, line shows its message. The first empty field gets the focus.
 */
export function formCard(main, { heading, intro, fields, button, working, send, links = [] }) {
  const { form } = sendingForm({
    attributes: { "aria-labelledby": "form-heading" },
    children: [h("h1", { id: "form-heading" }, heading), h("p", {}, intro), fields],
    submit: button,
    working,
    send,
  });
  const card = h(
    "section",
    { class: "card signin" },
    form,
    links.length ? h("ul", { class: "help-links" }, links.map((link) => h("li", {}, link))) : null,
  );
  replace(main, card);
  [...form.querySelectorAll("input")].find((input) => !input.value)?.focus();
  return card;
}

/** The new password's two fields, and value(line): the password, or null after saying on
 * line that the two differ (a typing error would otherwise lock the user out). */
export function newPassword() {
  const attributes = { type: "password", autocomplete: "new-password", required: true };
  const first = field("new-password", "New password", attributes);
  const second = field("repeat-password", "New password again", attributes);
  return {
    fields: [first, second],
    value(line) {
      if (valueOf(first) === valueOf(second)) return valueOf(first);
      line.say("The two new passwords differ: type the same password twice.", "error");
      second.querySelector("input").select();
      second.querySelector("input").focus();
      return null;
    },
  };
}
