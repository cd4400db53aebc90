// The hash router: "#/<page>?<parameters>" picks the page, so one static index.html serves
// every page and the server needs no route per page. Pages that need a session send a
// signed-out visitor to the sign-in page, which returns them afterwards.

export const SIGN_IN = "#/signin";
export const HOME = "#/home";

const pages = new Map(); // "/home" -> page module
let options = null;
let onScreen = null; // the AbortController of the page shown, aborted when it is replaced

/**
 * Register a page: {title, public, render({main, params, signal})}. public pages are shown
 * without a session.
 */
export function register(path, page) {
  pages.set(path, page);
}

/** Start routing: signedIn() says whether there is a session, show(page, context) renders. */
export function start({ signedIn, show, notFound }) {
  options = { signedIn, show, notFound };
  window.addEventListener("hashchange", route);
  route();
}

/** Go to hash; with replace, the current entry of the history is replaced. */
export function navigate(hash, { replace = false } = {}) {
  if (location.hash === hash) {
    route();
  } else if (replace) {
    location.replace(hash);
  } else {
    location.hash = hash;
  }
}

/** The sign-in page, which will return to `back` (a hash) after signing in. */
export function signInReturningTo(back, reason) {
  const params = new URLSearchParams({ next: back });
  if (reason) params.set("reason", reason);
  return `${SIGN_IN}?${params}`;
}

/** Where to go after signing in: `next` if it is a page of this UI, else home. */
export function afterSignIn(next) {
  const path = parse(next ?? "").path;
  return pages.has(path) && !pages.get(path).public ? next : HOME;
}

/** The page on screen now, e.g. "/home". */
export function currentPath() {
  return parse(location.hash).path;
}

function parse(hash) {
  const [path, query = ""] = hash.replace(/^#/, "").split("?", 2);
  return { path, params: new URLSearchParams(query) };
}

function route() {
  const { path, params } = parse(location.hash);
  if (!path) {
    navigate(options.signedIn() ? HOME : SIGN_IN, { replace: true });
    return;
  }
  const page = pages.get(path) ?? options.notFound;
  if (!page.public && !options.signedIn()) {
    navigate(signInReturningTo(location.hash), { replace: true });
    return;
  }
  onScreen?.abort();
  onScreen = new AbortController();
  options.show(page, { params, signal: onScreen.signal });
}
