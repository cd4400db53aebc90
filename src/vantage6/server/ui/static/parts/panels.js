// Sections of a record's page: a titled card, a short list of related records, and the items
// such lists share.

import { h } from "../core/dom.js";
import { statusTag } from "./node-status.js";
import { empty } from "../core/states.js";

/** A card titled `title` (an h2 with `id`), labelled by it as a region. */
export function panel(id, title, content) {
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), content);
}

/** A list of items (item(record) is the content of one), saying how many more there are;
 * `none` when there are none. */
export function shortList({ items, total }, item, none) {
  if (items.length === 0) return empty(none);
  const more = total > items.length ? h("p", {}, `The first ${items.length} of ${total}.`) : null;
  return [h("ul", { class: "short-list" }, items.map((found) => h("li", {}, item(found)))), more];
}

/** A node: its name and whether it is online. */
export function nodeItem(node) {
  return [h("span", { class: "item-name" }, node.name), statusTag(node.status)];
}
