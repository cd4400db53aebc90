// The frame around every page: the header (product, server, navigation, who is signed in,
// sign out) and the main region a page is drawn in.

import { serverName, version } from "./config.js";
import { h, replace } from "./dom.js";
import { currentUser, displayName } from "./me.js";
import * as notice from "./notice.js";
import * as router from "./router.js";
import * as session from "./session.js";

const NAVIGATION = [
  ["#/home", "Home"],
  ["#/organizations", "Organizations"],
  ["#/collaborations", "Collaborations"],
  ["#/nodes", "Nodes"],
  ["#/tasks", "Tasks"],
  ["#/users", "Users"],
  ["#/roles", "Roles"],
  ["#/account", "Account"],
];

/** Draw the header for the current session and page. */
export function drawHeader() {
  const top = document.getElementById("top");
  const brand = h(
    "a",
    { class: "brand", href: session.active() ? router.HOME : router.SIGN_IN },
    h("img", { src: "assets/icon.svg", alt: "", width: 28, height: 28 }),
    h("span", {}, "vantage6"),
  );
  const server = h("span", { class: "server-name" }, serverName);
  if (!session.active()) {
    replace(top, h("div", { class: "bar" }, brand, server));
    return;
  }
  const here = `#${router.currentPath()}`;
  const links = NAVIGATION.map(([href, label]) =>
    h("a", { href, "aria-current": within(here, href) ? "page" : null }, label),
  );
  const who = h("span", { class: "who" });
  currentUser().then(
    (user) => replace(who, "Signed in as ", h("strong", {}, displayName(user))),
    () => {}, // the page shows why; the header stays as it is
  );
  const signOut = h(
    "button",
    { type: "button", class: "quiet", onclick: () => session.end("signed-out") },
    "Sign out",
  );
  replace(
    top,
    h("div", { class: "bar" }, brand, server, h("nav", { "aria-label": "Main" }, links)),
    h("div", { class: "account" }, who, signOut),
  );
}

/** Whether the page at hash `here` is the one at `href` or one of its subpages. */
function within(here, href) {
  return here === href || here.startsWith(`${href}/`);
}

/** Show page in the main region (below the message the previous page left, if any), then
 * move the focus there (for keyboard and screen reader users) unless the page put it
 * somewhere itself. */
export function show(page, context) {
  const main = document.getElementById("main");
  document.title = `${page.title} · vantage6`;
  drawHeader();
  main.replaceChildren();
  const left = notice.take();
  const region = left === null ? main : h("div");
  if (left !== null) {
    replace(main, h("p", { class: "notice", role: "status" }, left), region);
  }
  page.render({ ...context, main: region });
  if (!main.contains(document.activeElement)) {
    const heading = main.querySelector("h1");
    heading?.setAttribute("tabindex", "-1");
    (heading ?? main).focus();
  }
}

/** The version in the footer. */
export function drawFooter() {
  replace(document.getElementById("version"), `vantage6 ${version}`);
}
