// The rules of a role or user as a table: one row per resource, one column per operation and
// scope, a checkbox where such a rule exists. Shown read-only (a role's page) or with the
// boxes the user may change enabled (role and user forms).

import { h } from "../core/dom.js";

const OPERATIONS = ["view", "create", "edit", "delete", "send", "receive"];
const SCOPES = [
  // [the API's name in lower case, its column heading]
  ["own", "own"],
  ["organization", "org"],
  ["collaboration", "collab"],
  ["global", "global"],
];
let made = 0; // matrices made, for unique ids

/**
 * rulesMatrix({rules, ticked, editable, caption}) -> HTMLElement
 * rules: the catalogue from GET /rule?no_pagination=1 (items with id, name (the resource),
 * scope, operation); ticked: Set of rule ids shown ticked; editable: Set of rule ids the user
 * may tick or untick (others disabled; empty = read-only); caption: the matrix's caption and
 * accessible name.
 * The returned element has a method selected() -> array of ticked rule ids.
 */
export function rulesMatrix({ rules, ticked = new Set(), editable = new Set(), caption }) {
  const byKey = new Map(rules.map((rule) => [keyOf(rule), rule]));
  const resources = [...new Set(sortedById(rules).map((rule) => rule.name))];
  // Only the columns some rule fills: not every operation exists at every scope.
  const filled = new Set(rules.map((rule) => `${lower(rule.operation)} ${lower(rule.scope)}`));
  const columns = OPERATIONS.map((operation) => ({
    operation,
    scopes: SCOPES.filter(([scope]) => filled.has(`${operation} ${scope}`)),
  })).filter((group) => group.scopes.length > 0);

  const head = h(
    "thead",
    {},
    h(
      "tr",
      {},
      h("th", { scope: "col", rowspan: 2 }, "Resource"),
      columns.map(({ operation, scopes }) =>
        h("th", { scope: "colgroup", colspan: scopes.length, class: "group-start" }, operation),
      ),
    ),
    h(
      "tr",
      {},
      columns.map(({ scopes }) =>
        scopes.map(([scope, heading], i) =>
          h("th", { scope: "col", class: i === 0 ? "group-start" : null, abbr: scope }, heading),
        ),
      ),
    ),
  );
  const body = h(
    "tbody",
    {},
    resources.map((resource) =>
      h(
        "tr",
        {},
        h("th", { scope: "row" }, resource),
        columns.map(({ operation, scopes }) =>
          scopes.map(([scope], i) => {
            const rule = byKey.get(key(resource, operation, scope));
            return h(
              "td",
              { class: i === 0 ? "group-start" : null },
              rule ? checkbox(rule, ticked, editable) : null,
            );
          }),
        ),
      ),
    ),
  );
  // The caption is outside the table so that it stays in view while the table scrolls.
  const captionId = `rules-matrix-${++made}`;
  const table = h("table", { class: "rules-matrix", "aria-labelledby": captionId }, head, body);
  const wrapper = h(
    "div",
    {},
    h("p", { class: "rules-matrix-caption", id: captionId }, caption),
    // Focusable so that a keyboard can scroll it when it is wider than the screen.
    h(
      "div",
      { class: "rules-matrix-scroll", tabindex: "0", role: "region", "aria-labelledby": captionId },
      table,
    ),
  );
  wrapper.selected = () =>
    [...table.querySelectorAll("input:checked")].map((box) => Number(box.value));
  return wrapper;
}

function checkbox(rule, ticked, editable) {
  return h("input", {
    type: "checkbox",
    value: rule.id,
    checked: ticked.has(rule.id),
    disabled: !editable.has(rule.id),
    "aria-label": `${lower(rule.operation)} ${rule.name}, ${lower(rule.scope)} scope`,
    title: rule.description ?? null,
  });
}

function keyOf(rule) {
  return key(rule.name, lower(rule.operation), lower(rule.scope));
}

function lower(text) {
  return text.toLowerCase();
}

function key(resource, operation, scope) {
  return `${resource} ${operation} ${scope}`;
}

function sortedById(rules) {
  return [...rules].sort((a, b) => a.id - b.id);
}
