// A page listing the records of one kind that the user may see: searched by name, sorted, a
// page at a time, with a "New …" link for users whose rules allow creating one. What the list
// shows lives in the address (#/<kind>?name=…&sort=…&page=…&per_page=…), so the browser's back
// button and a shared link show the same list.

import * as api from "./api.js";
import { h, replace } from "./dom.js";
import { field, valueOf } from "./forms.js";
import { actionsArea, offer } from "./offers.js";
import { pager } from "./pager.js";
import * as router from "./router.js";
import { empty, fill } from "./states.js";

const SORTS = [
  ["name", "Name, A to Z"],
  ["-name", "Name, Z to A"],
  ["id", "Oldest first"],
  ["-id", "Newest first"],
];
const PAGE_SIZES = [10, 25, 50];
const DEFAULTS = { name: "", sort: "name", page: 1, perPage: PAGE_SIZES[0] };

/**
 * The page at "#/<kind>" (kind: "organizations"), listing GET /<resource> (resource:
 * "organization", also the rule that creating one needs):
 * - title: the heading; one: the kind in the singular ("organization");
 * - newLabel: the link to "#/<kind>/new";
 * - headings: the columns; cells(record): the content of each, the first linking the record;
 * - include: what the API should include in each record (e.g. "organizations").
 */
export function listPage({ kind, resource, title, one, newLabel, headings, cells, include }) {
  const address = `#/${kind}`;
  return {
    title,
    public: false,
    render({ main, params, signal }) {
      const shown = stateOf(params);
      const actions = actionsArea();
      const results = h("div", { class: "results" });
      replace(
        main,
        h("div", { class: "page-head" }, h("h1", {}, title), actions),
        searchForm(shown, title, address),
        results,
      );
      offer(actions, (permissions) =>
        permissions.may("create", resource)
          ? h("a", { class: "button", href: `${address}/new` }, newLabel)
          : null,
      );
      const query = apiQuery(shown);
      if (include) query.set("include", include);
      fill(
        results,
        kind,
        () => api.list(`/${resource}?${query}`, { signal }),
        (found) => table(found, shown, { kind, one, address, headings, cells }),
      );
    },
  };
}

/** What the address asks for, with defaults for what it leaves out or gets wrong. */
function stateOf(params) {
  const whole = (text) => (/^[1-9][0-9]{0,8}$/.test(text ?? "") ? Number(text) : null);
  const perPage = whole(params.get("per_page"));
  const sort = params.get("sort");
  return {
    name: params.get("name") ?? DEFAULTS.name,
    sort: SORTS.some(([value]) => value === sort) ? sort : DEFAULTS.sort,
    page: whole(params.get("page")) ?? DEFAULTS.page,
    perPage: PAGE_SIZES.includes(perPage) ? perPage : DEFAULTS.perPage,
  };
}

/** The address of the list in `state`, leaving out defaults. */
function hrefOf(address, state) {
  const params = new URLSearchParams();
  if (state.name) params.set("name", state.name);
  if (state.sort !== DEFAULTS.sort) params.set("sort", state.sort);
  if (state.page !== DEFAULTS.page) params.set("page", state.page);
  if (state.perPage !== DEFAULTS.perPage) params.set("per_page", state.perPage);
  const query = params.toString();
  return query ? `${address}?${query}` : address;
}

/** The API's parameters; the name filter is an SQL LIKE pattern: "contains" the text. */
function apiQuery(state) {
  const query = new URLSearchParams({
    sort: state.sort,
    page: state.page,
    per_page: state.perPage,
  });
  if (state.name) query.set("name", `%${state.name}%`);
  return query;
}

function searchForm(shown, title, address) {
  const name = field("search-name", "Name contains", {
    type: "search",
    value: shown.name,
    autocomplete: "off",
  });
  const options = (pairs, selected) =>
    pairs.map(([value, label]) =>
      h("option", { value, selected: String(value) === String(selected) }, label),
    );
  const sort = field("search-sort", "Sort", {
    tag: "select",
    children: options(SORTS, shown.sort),
  });
  const perPage = field("search-per-page", "Per page", {
    tag: "select",
    children: options(
      PAGE_SIZES.map((size) => [size, String(size)]),
      shown.perPage,
    ),
  });
  const form = h(
    "form",
    { class: "search", role: "search", "aria-label": title },
    name,
    sort,
    perPage,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Search")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    router.navigate(
      hrefOf(address, {
        name: valueOf(name).trim(),
        sort: valueOf(sort),
        page: 1,
        perPage: Number(valueOf(perPage)),
      }),
    );
  });
  for (const select of form.querySelectorAll("select")) {
    select.addEventListener("change", () => form.requestSubmit());
  }
  return form;
}

function table({ items, total }, shown, { kind, one, address, headings, cells }) {
  if (total === 0) {
    return empty(
      shown.name
        ? `No ${one} has a name containing “${shown.name}”.`
        : `There are no ${kind} yet.`,
    );
  }
  const navigation = pager({
    page: shown.page,
    perPage: shown.perPage,
    total,
    hrefFor: (page) => hrefOf(address, { ...shown, page }),
  });
  if (items.length === 0) {
    return [empty(`Page ${shown.page} is past the last page.`), navigation];
  }
  const rows = items.map((record) =>
    h("tr", {}, cells(record).map((content) => h("td", {}, content))),
  );
  return [
    h(
      "table",
      { class: `list ${kind}` },
      h("thead", {}, h("tr", {}, headings.map((label) => h("th", { scope: "col" }, label)))),
      h("tbody", {}, rows),
    ),
    navigation,
  ];
}
