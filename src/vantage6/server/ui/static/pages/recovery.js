// Getting back into an account without a session: a lost password, or a lost second factor,
// is reset with a token that the server emails to the account's address.

import * as api from "../core/api.js";
import { h, replace } from "../core/dom.js";
import { field, valueOf } from "../parts/forms.js";
import * as notice from "../core/notice.js";
import * as router from "../core/router.js";
import { formCard, newPassword } from "../parts/account-forms.js";
import { enrolment } from "../parts/enrolment.js";

export const forgotPassword = {
  title: "Forgot password",
  public: true,
  render({ main, signal }) {
    const account = field("account", "Username or email", {
      required: true,
      autocomplete: "username",
    });
    formCard(main, {
      heading: "Forgot your password?",
      intro: "The server emails a token to reset it to the address of your account.",
      fields: [account],
      button: "Email me a token",
      working: "Sending…",
      async send(line) {
        const name = valueOf(account).trim();
        // Usernames have no "@", so a name with one is an email address.
        const body = name.includes("@") ? { email: name } : { username: name };
        const answer = await api.publicRequest("POST", "/recover/lost", { body, signal });
        line.say(answer.msg);
      },
      links: [h("a", { href: "#/reset-password" }, "I have a token"), backToSignIn()],
    });
  },
};

export const resetPassword = {
  title: "Choose a new password",
  public: true,
  render({ main, params, signal }) {
    const token = tokenField(params);
    const password = newPassword();
    formCard(main, {
      heading: "Choose a new password",
      intro: "Enter the token from the email, and your new password.",
      fields: [token, ...password.fields],
      button: "Set the new password",
      working: "Setting the password…",
      async send(line) {
        const chosen = password.value(line);
        if (chosen === null) return;
        const body = { reset_token: valueOf(token).trim(), password: chosen };
        const answer = await api.publicRequest("POST", "/recover/reset", { body, signal });
        notice.leave(`${answer.msg}: sign in with your new password.`);
        router.navigate(router.SIGN_IN);
      },
      links: [h("a", { href: "#/forgot-password" }, "Email me a new token"), backToSignIn()],
    });
  },
};

export const lostTwoFactor = {
  title: "Lost two-factor authentication",
  public: true,
  render({ main, signal }) {
    const username = field("username", "Username", { required: true, autocomplete: "username" });
    const password = field("password", "Password", {
      type: "password",
      required: true,
      autocomplete: "current-password",
    });
    formCard(main, {
      heading: "Lost your two-factor device?",
      intro:
        "Prove it is your account with your password, and the server emails a token to set " +
        "up two-factor authentication again.",
      fields: [username, password],
      button: "Email me a token",
      working: "Sending…",
      async send(line) {
        const body = { username: valueOf(username), password: valueOf(password) };
        const answer = await api.publicRequest("POST", "/recover/2fa/lost", { body, signal });
        line.say(answer.msg);
      },
      links: [h("a", { href: "#/reset-two-factor" }, "I have a token"), backToSignIn()],
    });
  },
};

export const resetTwoFactor = {
  title: "Set up two-factor authentication again",
  public: true,
  render({ main, params, signal }) {
    const token = tokenField(params);
    const card = formCard(main, {
      heading: "Set up two-factor authentication again",
      intro: "Enter the token from the email to get a new secret for your authenticator app.",
      fields: [token],
      button: "Get a new secret",
      working: "Getting a new secret…",
      async send() {
        const body = { reset_token: valueOf(token).trim() };
        const answer = await api.publicRequest("POST", "/recover/2fa/reset", { body, signal });
        // The old secret no longer works, and the new one is shown this once only.
        const heading = h("h1", { tabindex: -1 }, "Your new two-factor secret");
        const signIn = h("a", { href: router.SIGN_IN }, "Sign in with a code of the new secret");
        replace(card, heading, enrolment(answer), h("p", {}, signIn));
        heading.focus();
      },
      links: [backToSignIn()],
    });
  },
};

function backToSignIn() {
  return h("a", { href: router.SIGN_IN }, "Back to sign in");
}

/** The emailed token, filled in from the page's ?token= when a link carries it. */
function tokenField(params) {
  return field("token", "Token from the email", {
    required: true,
    autocomplete: "off",
    spellcheck: "false",
    value: params.get("token") ?? "",
  });
}
