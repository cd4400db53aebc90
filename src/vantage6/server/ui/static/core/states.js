// What a part of a page shows while its data is on the way, when the server refused, and
// when there is nothing to show; shared by every page.

import { SignedOut } from "./api.js";
import { h, replace } from "./dom.js";

export function loading(what) {
  return h("p", { class: "loading", role: "status" }, `Loading ${what}…`);
}

export function failed(error) {
  return h("p", { class: "error", role: "alert" }, error.message);
}

export function empty(text) {
  return h("p", { class: "empty" }, text);
}

/** Errors to stay silent about: the page was left, or the session ended (sign-in follows). */
export function quiet(error) {
  return error.name === "AbortError" || error instanceof SignedOut;
}

/**
 * Fill `container`: a progress line while load() runs, then show(value) (an element or a
 * list of them), or the server's message. Resolves to the loaded value (undefined on error).
 */
export async function fill(container, what, load, show) {
  replace(container, loading(what));
  container.setAttribute("aria-busy", "true");
  try {
    const value = await load();
    replace(container, show(value));
    return value;
  } catch (error) {
    if (!quiet(error)) replace(container, failed(error));
    return undefined;
  } finally {
    container.removeAttribute("aria-busy");
  }
}
