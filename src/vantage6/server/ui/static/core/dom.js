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
