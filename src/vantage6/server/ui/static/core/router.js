// The hash router: "#/<page>?<parameters>" picks the page, so one static index.html serves
// every page and the server needs no route per page. Pages that need a session send a
// signed-out visitor to the sign-in page, which returns them afterwards. A path may have
// parts that vary, named with a colon ("/organizations/:id"); the page receives them as args.

export const SIGN_IN = "#/signin";
export const HOME = "#/home";

const pages = new Map(); // "/home" -> page module
const patterns = []; // [{regex, names, page}] of paths with varying parts, in order
let options = null;
let onScreen = null; // the AbortController of the page shown, aborted when it is replaced

/**
 * Register a page: {title, public, render({main, params, args, signal})}. public pages are
 * shown without a session. A path part ":name" matches any one part, given as args.name;
 * a fixed path ("/organizations/new") wins over one with varying parts.
 */
export function register(path, page) {
  if (!path.includes("/:")) {
    pages.set(path, page);
    return;
  }
  const names = [];
  const source = path
    .split("/")
    .map((part) => {
      if (!part.startsWith(":")) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(part.slice(1));
      return "([^/]+)";
    })
    .join("/");
  patterns.push({ regex: new RegExp(`^${source}$`), names, page });
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
  const found = find(parse(next ?? "").path);
  return found && !found.page.public ? next : HOME;
}

/** The page on screen now, e.g. "/home". */
export function currentPath() {
  return parse(location.hash).path;
}

function parse(hash) {
  const [path, query = ""] = hash.replace(/^#/, "").split("?", 2);
  return { path, params: new URLSearchParams(query) };
}

/** The page for path and the values of its varying parts: {page, args}, or null. */
function find(path) {
  if (pages.has(path)) return { page: pages.get(path), args: {} };
  for (const { regex, names, page } of patterns) {
    const match = regex.exec(path);
    if (match) {
      const args = {};
      try {
        names.forEach((name, i) => (args[name] = decodeURIComponent(match[i + 1])));
      } catch {
        return null; // a malformed escape ("%zz"): no page's path
      }
      return { page, args };
    }
  }
  return null;
}

function route() {
  const { path, params } = parse(location.hash);
  if (!path) {
    navigate(options.signedIn() ? HOME : SIGN_IN, { replace: true });
    return;
  }
  const { page, args } = find(path) ?? { page: options.notFound, args: {} };
  if (!page.public && !options.signedIn()) {
    navigate(signInReturningTo(location.hash), { replace: true });
    return;
  }
  onScreen?.abort();
  onScreen = new AbortController();
  options.show(page, { params, args, signal: onScreen.signal });
}
