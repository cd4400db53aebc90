// A page listing the records of one kind that the user may see: searched by a text, narrowed
// by filters, sorted, a page at a time, with a "New …" link for users whose rules allow
// creating one. What the list shows lives in the address
// (#/<kind>?name=…&<filter>=…&sort=…&page=…&per_page=…), so the browser's back button and a
// shared link show the same list.
//
// listPage(configuration) makes the page. The configuration:
//   kind       "nodes": the page's address #/nodes, the class of its form and table, and
//              what is loading ("Loading nodes…")
//   resource   "node": the records come from GET /node
//   title      the heading, and the name of the search form
//   newLabel   the text of the link to #/<kind>/new
//   mayCreate  (permissions) => whether to offer that link; by default, whether the user's
//              rules allow creating a <resource>
//   columns    [{heading, cell(record, loaded), class}]: class for phone layouts (e.g.
//              "wide-only"); each cell carries its heading too, as data-label
//   search     {key, label} of the text field, searched as "contains"; by default the name
//   sorts      [value, label] pairs, the first the default; with only one, no choice
//   filters    selects made by choiceFilter() and idFilter(), in the form's order
//   load       (signal) => a promise of what the filters' choices and the cells need
//              (`loaded`); the form waits for it, the list request does not
//   narrow     (query, shown, loaded) adds to the API's query what filters mean together;
//              the list request then waits for load
//   include    what the API should include in each record (e.g. "organizations")
//   empty      {none, unmatched}: what an empty list says, unfiltered and filtered
//   one        the kind in the singular ("organization"), for the default unmatched text
//   live       socket events after which the list is loaded again (core/live.js), while
//              the head shows whether it follows the server live

import * as api from "../core/api.js";
import { h, replace, replaceKeepingFocus } from "../core/dom.js";
import { field, valueOf } from "./forms.js";
import { follow, liveBadge } from "../core/live.js";
import { actionsArea, offer } from "./offers.js";
import { pager } from "./pager.js";
import * as router from "../core/router.js";
import { empty, fill, quiet } from "../core/states.js";

const NAME_SORTS = [
  ["name", "Name, A to Z"],
  ["-name", "Name, Z to A"],
  ["id", "Oldest first"],
  ["-id", "Newest first"],
];
const PAGE_SIZES = [10, 25, 50];
const WHOLE = /^[1-9][0-9]{0,8}$/;

/** The list page of `configuration` (see the top of this file). */
export function listPage(configuration) {
  const config = withDefaults(configuration);
  return {
    title: config.title,
    public: false,
    render({ main, params, signal }) {
      const shown = stateOf(params, config);
      const actions = actionsArea();
      const heading = h("h1", {}, config.title);
      const filters = h("div");
      const results = h("div", { class: "results" });
      replace(
        main,
        h("div", { class: "page-head" }, heading, actions),
        filters,
        results,
      );
      offer(actions, (permissions) =>
        config.mayCreate(permissions)
          ? h("a", { class: "button", href: `#/${config.kind}/new` }, config.newLabel)
          : null,
      );
      const loaded = config.load(signal);
      loaded.then(
        (found) => replace(filters, searchForm(config, shown, found)),
        (error) => {
          if (!quiet(error)) replace(filters, searchForm(config, shown, null)); // the list says why
        },
      );
      const list = () => Promise.all([records(config, shown, loaded, signal), loaded]);
      const draw = ([found, named]) => table(found, shown, config, named);
      const listed = fill(results, config.kind, list, draw);
      if (config.live) {
        listed.then((value) => {
          if (value === undefined) return; // refused: nothing to follow
          const refresh = async () => replaceKeepingFocus(results, draw(await list()));
          follow({ events: config.live, refresh, signal });
          heading.after(liveBadge());
        });
      }
    },
  };
}

/** A filter by one of fixed `choices`, [value, label] pairs; the first, the default, is left
 * out of addresses. apiParameter: the API's name for the value, when it takes it as is. */
export function choiceFilter({ key, label, choices, apiParameter = null }) {
  const values = choices.map(([value]) => value);
  return {
    key,
    label,
    apiParameter,
    fallback: values[0],
    parse: (text) => (values.includes(text) ? text : values[0]),
    choices: () => choices,
  };
}

/** A filter by the id of a related record: choices(loaded) gives [id, name] pairs, or null to
 * offer no select (an id in the address still counts); `any` labels choosing none.
 * apiParameter: as for choiceFilter(). */
export function idFilter({ key, label, any, choices, apiParameter = null }) {
  return {
    key,
    label,
    apiParameter,
    fallback: "",
    parse: (text) => (WHOLE.test(text ?? "") ? text : ""),
    choices: (loaded) => {
      const pairs = loaded && choices(loaded);
      return pairs && [["", any], ...pairs];
    },
  };
}

function withDefaults(configuration) {
  return {
    mayCreate: (permissions) => permissions.may("create", configuration.resource),
    search: { key: "name", label: "Name contains" },
    sorts: NAME_SORTS,
    filters: [],
    load: async () => null,
    empty: {},
    ...configuration,
  };
}

/** What the address asks for, with defaults for what it leaves out or gets wrong. */
function stateOf(params, { search, sorts, filters }) {
  const whole = (text) => (WHOLE.test(text ?? "") ? Number(text) : null);
  const perPage = whole(params.get("per_page"));
  const sort = params.get("sort");
  const state = {
    search: params.get(search.key) ?? "",
    sort: sorts.some(([value]) => value === sort) ? sort : sorts[0][0],
    page: whole(params.get("page")) ?? 1,
    perPage: PAGE_SIZES.includes(perPage) ? perPage : PAGE_SIZES[0],
  };
  for (const filter of filters) state[filter.key] = filter.parse(params.get(filter.key));
  return state;
}

/** The address of the list in `state`, leaving out defaults. */
function hrefOf({ kind, search, sorts, filters }, state) {
  const params = new URLSearchParams();
  if (state.search) params.set(search.key, state.search);
  for (const { key } of filtersChosen(filters, state)) params.set(key, state[key]);
  if (state.sort !== sorts[0][0]) params.set("sort", state.sort);
  if (state.page !== 1) params.set("page", state.page);
  if (state.perPage !== PAGE_SIZES[0]) params.set("per_page", state.perPage);
  const query = params.toString();
  return query ? `#/${kind}?${query}` : `#/${kind}`;
}

function filtersChosen(filters, state) {
  return filters.filter(({ key, fallback }) => state[key] !== fallback);
}

/** The page of records in `state`; the text searched is an SQL LIKE pattern: "contains". */
async function records({ resource, search, filters, narrow, include }, state, loaded, signal) {
  const query = new URLSearchParams({
    sort: state.sort,
    page: state.page,
    per_page: state.perPage,
  });
  if (state.search) query.set(search.key, `%${state.search}%`);
  for (const { key, apiParameter } of filtersChosen(filters, state)) {
    if (apiParameter) query.set(apiParameter, state[key]);
  }
  if (narrow) narrow(query, state, await loaded);
  if (include) query.set("include", include);
  return api.list(`/${resource}?${query}`, { signal });
}

function select(id, label, pairs, selected) {
  return field(id, label, {
    tag: "select",
    children: pairs.map(([value, text]) =>
      h("option", { value, selected: String(value) === String(selected) }, text),
    ),
  });
}

/** The search form; a filter whose choices are unknown (loaded: null) is left out. */
function searchForm(config, shown, loaded) {
  const { kind, title, search, sorts, filters } = config;
  const text = field(`search-${search.key}`, search.label, {
    type: "search",
    value: shown.search,
    autocomplete: "off",
  });
  const selects = new Map(); // state key -> field
  for (const { key, label, choices } of filters) {
    const pairs = choices(loaded);
    if (pairs) selects.set(key, select(`search-${key}`, label, pairs, shown[key]));
  }
  if (sorts.length > 1) selects.set("sort", select("search-sort", "Sort", sorts, shown.sort));
  const sizes = PAGE_SIZES.map((size) => [size, String(size)]);
  const perPage = select("search-per-page", "Per page", sizes, shown.perPage);
  const form = h(
    "form",
    { class: `search ${kind}`, role: "search", "aria-label": title },
    text,
    [...selects.values()],
    perPage,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Search")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = { ...shown, search: valueOf(text).trim(), page: 1 };
    for (const [key, wrapper] of selects) chosen[key] = valueOf(wrapper);
    chosen.perPage = Number(valueOf(perPage));
    router.navigate(hrefOf(config, chosen));
  });
  for (const control of form.querySelectorAll("select")) {
    control.addEventListener("change", () => form.requestSubmit());
  }
  return form;
}

function emptyText({ kind, one, filters, empty: texts }, shown) {
  if (shown.search || filtersChosen(filters, shown).length > 0) {
    return texts.unmatched ?? `No ${one} has a name containing “${shown.search}”.`;
  }
  return texts.none ?? `There are no ${kind} yet.`;
}

function table({ items, total }, shown, config, loaded) {
  if (total === 0) return empty(emptyText(config, shown));
  const navigation = pager({
    page: shown.page,
    perPage: shown.perPage,
    total,
    hrefFor: (page) => hrefOf(config, { ...shown, page }),
  });
  if (items.length === 0) {
    return [empty(`Page ${shown.page} is past the last page.`), navigation];
  }
  const { kind, columns } = config;
  const headings = columns.map((column) =>
    h("th", { scope: "col", class: column.class }, column.heading),
  );
  return [
    h(
      "table",
      { class: `list ${kind}` },
      h("thead", {}, h("tr", {}, headings)),
      h("tbody", {}, items.map((record) => row(record, columns, loaded))),
    ),
    navigation,
  ];
}

// data-label: the column's heading, which a phone may show beside each value (app.css).
function row(record, columns, loaded) {
  return h(
    "tr",
    {},
    columns.map((column) =>
      h("td", { class: column.class, "data-label": column.heading }, column.cell(record, loaded)),
    ),
  );
}
