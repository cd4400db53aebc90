// Sign in with username and password, and with a two-factor code when the server asks for
// one. POST /token/user answers with tokens, or without them: with a new secret to enrol
// (otp_secret, qr_uri), with the request for a code (msg = the code prompt), or with another
// message (e.g. that an enrolment token was emailed).

import * as api from "../core/api.js";
import { codePrompt } from "../core/config.js";
import { h, replace } from "../core/dom.js";
import * as router from "../core/router.js";
import * as session from "../core/session.js";
import { enrolment } from "../parts/enrolment.js";

const REASONS = {
  expired: "Your session has ended. Sign in again to continue where you were.",
};

export default {
  title: "Sign in",
  public: true,
  render({ main, params }) {
    const next = router.afterSignIn(params.get("next"));
    if (session.active()) {
      router.navigate(next, { replace: true });
      return;
    }
    const form = signInForm(next, REASONS[params.get("reason")]);
    replace(main, h("section", { class: "card signin" }, form, recoveryLinks()));
    form.querySelector("#username").focus();
  },
};

function recoveryLinks() {
  return h(
    "ul",
    { class: "help-links" },
    h("li", {}, h("a", { href: "#/forgot-password" }, "Forgot your password?")),
    h("li", {}, h("a", { href: "#/lost-two-factor" }, "Lost your two-factor device?")),
  );
}

function field(id, label, attributes) {
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    h("input", { id, name: id, required: true, ...attributes }),
  );
}

function signInForm(next, notice) {
  const username = field("username", "Username", { autocomplete: "username" });
  const password = field("password", "Password", {
    type: "password",
    autocomplete: "current-password",
  });
  const code = field("mfa-code", "Two-factor code", {
    autocomplete: "one-time-code",
    inputmode: "numeric",
    pattern: "[0-9]{6}",
    maxlength: 6,
    title: "The six digits your authenticator app shows",
  });
  code.hidden = true;
  code.querySelector("input").disabled = true; // not required until it is shown
  const setup = h("div", { class: "setup" });
  const message = h("p", { class: "message", role: "status", "aria-live": "polite" }, notice);
  const button = h("button", { type: "submit" }, "Sign in");
  const form = h(
    "form",
    { "aria-labelledby": "signin-heading" },
    h("h1", { id: "signin-heading" }, "Sign in"),
    username,
    password,
    setup,
    code,
    message,
    h("div", { class: "actions" }, button),
  );
  const input = (wrapper) => wrapper.querySelector("input");

  function askForCode(text, kind = "info") {
    code.hidden = false;
    input(code).disabled = false;
    input(code).value = "";
    button.textContent = "Verify and sign in";
    say(text, kind);
    input(code).focus();
  }

  function say(text, kind = "info") {
    message.textContent = text ?? "";
    message.className = `message ${kind}`;
    message.setAttribute("role", kind === "error" ? "alert" : "status");
  }

  function busy(on) {
    form.setAttribute("aria-busy", String(on));
    button.disabled = on;
    if (on) {
      button.dataset.label = button.textContent;
      button.textContent = "Signing in…";
      say("");
    } else {
      button.textContent = button.dataset.label;
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { username: input(username).value, password: input(password).value };
    if (!code.hidden) body.mfa_code = input(code).value.trim();
    busy(true);
    let answer;
    try {
      answer = await api.publicRequest("POST", "/token/user", { body });
    } catch (error) {
      busy(false);
      say(error.message, "error");
      const retry = code.hidden ? input(password) : input(code);
      retry.select();
      retry.focus();
      return;
    }
    busy(false);
    if (answer.access_token) {
      session.start(answer);
      router.navigate(next, { replace: true });
    } else if (answer.qr_uri) {
      replace(setup, enrolment(answer));
      askForCode("Enter the code your authenticator app shows for this account.");
    } else if (answer.msg === codePrompt) {
      askForCode(answer.msg);
    } else {
      say(answer.msg ?? "The server gave no tokens", "info");
    }
  });
  return form;
}
