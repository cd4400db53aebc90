// Resetting another user's two-factor authentication (POST /user/<id>/2fa/reset), for
// someone who lost their authenticator: a "Reset two-factor" button that asks first, then
// shows what the server answered.

import * as api from "../core/api.js";
import { h, replace } from "../core/dom.js";
import { outcome, whileBusy } from "./forms.js";
import { quiet } from "../core/states.js";

/** The button and its confirmation, for user {id, username}. */
export function twoFactorResetButton(user) {
  const start = h("button", { type: "button", class: "secondary" }, "Reset two-factor");
  const area = h("div");
  const said = outcome();
  start.addEventListener("click", () => {
    start.hidden = true;
    said.say("");
    replace(area, confirmation());
    area.querySelector(".question").focus();
  });

  function close() {
    replace(area);
    start.hidden = false;
    start.focus();
  }

  function confirmation() {
    const confirm = h("button", { type: "button", class: "danger" }, "Yes, reset two-factor");
    const box = h(
      "div",
      { class: "confirm", role: "group", "aria-label": "Confirm two-factor reset" },
      h(
        "p",
        { class: "question", tabindex: "-1" },
        `Reset the two-factor authentication of “${user.username}”?`,
      ),
      h("p", {}, "They will set it up again when they next sign in."),
      h(
        "div",
        { class: "actions" },
        confirm,
        h("button", { type: "button", class: "secondary", onclick: close }, "Cancel"),
      ),
    );
    confirm.addEventListener("click", async () => {
      const path = `/user/${Number(user.id)}/2fa/reset`;
      try {
        const sent = await whileBusy(box, confirm, "Resetting…", () =>
          api.request("POST", path),
        );
        said.say(sent.answer?.msg ?? "Two-factor authentication was reset.");
      } catch (error) {
        if (quiet(error)) return;
        said.say(error.message, "error");
      }
      close();
    });
    return box;
  }

  return h("div", { class: "confirm-control" }, start, area, said);
}
