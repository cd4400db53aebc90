// A JSON value as a tree: lists and objects fold open and shut (<details>, so the keyboard
// reaches and toggles them), and their members are only built once opened.

import { h } from "../core/dom.js";
import { showInChunks } from "./chunks.js";

/** `value` (anything JSON.parse makes, with NaN and ±Infinity) as a tree, its top open. */
export function jsonTree(value) {
  return h("div", { class: "json-tree" }, entry(null, value, true));
}

function entry(key, value, open) {
  const label = key === null ? null : h("span", { class: "json-key" }, `${key}: `);
  const members = membersOf(value);
  if (members === null || members.length === 0) {
    return h("div", { class: "json-entry" }, label, scalar(value));
  }
  const list = h("ul", { class: "json-members" });
  const node = h(
    "details",
    { class: "json-entry", open },
    h("summary", {}, label, h("span", { class: "json-count" }, count(value, members.length))),
    list,
  );
  let built = false;
  const build = () => {
    if (built || !node.open) return;
    built = true;
    const item = ([memberKey, member]) => h("li", {}, entry(memberKey, member, false));
    list.after(showInChunks(list, members, item));
  };
  node.addEventListener("toggle", build);
  build();
  return node;
}

/** [key, value] pairs of a list or object; null for anything else. */
function membersOf(value) {
  if (Array.isArray(value)) return value.map((member, index) => [index, member]);
  if (value !== null && typeof value === "object") return Object.entries(value);
  return null;
}

function count(value, size) {
  if (Array.isArray(value)) return `[${size} ${size === 1 ? "item" : "items"}]`;
  return `{${size} ${size === 1 ? "key" : "keys"}}`;
}

function scalar(value) {
  if (Array.isArray(value)) return h("span", { class: "json-empty" }, "[]");
  if (value === null) return h("span", { class: "json-literal" }, "null");
  switch (typeof value) {
    case "object":
      return h("span", { class: "json-empty" }, "{}");
    case "string":
      return h("span", { class: "json-string" }, JSON.stringify(value));
    case "number":
      return h("span", { class: "json-number" }, String(value));
    default:
      return h("span", { class: "json-literal" }, String(value));
  }
}
