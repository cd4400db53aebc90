// Building elements. Text is always set as text (never parsed as HTML), so whatever the
// server sends is shown as is and cannot become markup. Do not put values from the server in
// href or src: an attribute is set as given.

/**
 * An element: h("p", {class: "note", onclick: handler}, "text", child, [more children]).
 * Attributes that are null, undefined or false are left out, true ones are set empty, and
 * "on<event>" attributes are listeners.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) {
      element.addEventListener(name.slice(2), value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, ...children);
  return element;
}

/** Append children (elements, text, or nested arrays of them; null and false are skipped). */
export function append(parent, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) {
      parent.append(child instanceof Node ? child : String(child));
    }
  }
}

/** Replace all children of parent. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  append(parent, ...children);
}

/**
 * replace(), for content drawn again while the user may be in it (live updates): when the
 * focus was inside, it moves to the new element in the same place (same id, else the same
 * link, else the n-th element of the same tag), so a keyboard user does not lose their way.
 */
export function replaceKeepingFocus(parent, ...children) {
  const focused = document.activeElement;
  const place = focused !== parent && parent.contains(focused) ? placeOf(parent, focused) : null;
  replace(parent, ...children);
  if (place) parent.querySelectorAll(place.selector)[place.index]?.focus({ preventScroll: true });
}

function placeOf(parent, element) {
  const tag = element.localName;
  const href = element.getAttribute("href");
  let selector = tag;
  if (element.id) selector = `#${CSS.escape(element.id)}`;
  else if (href) selector = `${tag}[href="${CSS.escape(href)}"]`;
  return { selector, index: [...parent.querySelectorAll(selector)].indexOf(element) };
}

/** A description list from [term, description] pairs, leaving out empty descriptions. */
export function details(pairs) {
  const list = h("dl", { class: "details" });
  for (const [term, description] of pairs) {
    if (description !== null && description !== undefined && description !== "") {
      append(list, h("dt", {}, term), h("dd", {}, description));
    }
  }
  return list;
}
