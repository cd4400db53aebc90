// Changing one's own password. The server then ends every session of the account, this one
// too (its tokens are bound to the password), so the page signs out and asks the user to
// sign in with the new password.

import * as api from "../core/api.js";
import { h } from "../core/dom.js";
import { field, valueOf } from "../parts/forms.js";
import * as notice from "../core/notice.js";
import * as session from "../core/session.js";
import { formCard, newPassword } from "../parts/account-forms.js";

export default {
  title: "Change your password",
  public: false,
  render({ main, signal }) {
    const current = field("current-password", "Current password", {
      type: "password",
      required: true,
      autocomplete: "current-password",
    });
    const password = newPassword();
    formCard(main, {
      heading: "Change your password",
      intro: "Afterwards you are signed out everywhere, here too.",
      fields: [current, ...password.fields],
      button: "Change password",
      working: "Changing the password…",
      async send(line) {
        const chosen = password.value(line);
        if (chosen === null) return;
        const body = { current_password: valueOf(current), new_password: chosen };
        const { answer } = await api.request("PATCH", "/password/change", { body, signal });
        notice.leave(`${answer.msg}, and you were signed out: sign in with the new password.`);
        session.end("signed-out");
      },
      links: [h("a", { href: "#/account" }, "Back to your account")],
    });
  },
};
