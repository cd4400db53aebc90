// The organizations the user may see: searched by name, sorted, a page at a time. What the
// list shows lives in the address (#/organizations?name=…&sort=…&page=…&per_page=…), so the
// browser's back button and a shared link show the same list.

import * as api from "../api.js";
import { h, replace } from "../dom.js";
import { field, valueOf } from "../forms.js";
import { pager } from "../pager.js";
import { myPermissions } from "../permissions.js";
import * as router from "../router.js";
import { empty, fill } from "../states.js";

const SORTS = [
  ["name", "Name, A to Z"],
  ["-name", "Name, Z to A"],
  ["id", "Oldest first"],
  ["-id", "Newest first"],
];
const HEADINGS = ["Name", "Domain", "Country"];
const PAGE_SIZES = [10, 25, 50];
const DEFAULTS = { name: "", sort: "name", page: 1, perPage: PAGE_SIZES[0] };

export default {
  title: "Organizations",
  public: false,
  render({ main, params, signal }) {
    const shown = stateOf(params);
    // Busy until the permissions are known, so that "nothing offered" is an answer.
    const actions = h("div", { class: "page-actions", "aria-busy": "true" });
    const results = h("div", { class: "results" });
    replace(
      main,
      h("div", { class: "page-head" }, h("h1", {}, "Organizations"), actions),
      searchForm(shown),
      results,
    );
    myPermissions().then(
      (permissions) => {
        if (permissions.may("create", "organization")) {
          const create = { class: "button", href: "#/organizations/new" };
          replace(actions, h("a", create, "New organization"));
        }
      },
      () => {}, // offer nothing; the server would say why
    ).finally(() => actions.removeAttribute("aria-busy"));
    fill(
      results,
      "organizations",
      () => api.list(`/organization?${apiQuery(shown)}`, { signal }),
      (found) => table(found, shown),
    );
  },
};

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
function hrefOf(state) {
  const params = new URLSearchParams();
  if (state.name) params.set("name", state.name);
  if (state.sort !== DEFAULTS.sort) params.set("sort", state.sort);
  if (state.page !== DEFAULTS.page) params.set("page", state.page);
  if (state.perPage !== DEFAULTS.perPage) params.set("per_page", state.perPage);
  const query = params.toString();
  return query ? `#/organizations?${query}` : "#/organizations";
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

function searchForm(shown) {
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
    { class: "search", role: "search", "aria-label": "Organizations" },
    name,
    sort,
    perPage,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Search")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    router.navigate(
      hrefOf({
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

function table({ items, total }, shown) {
  if (total === 0) {
    return empty(
      shown.name
        ? `No organization has a name containing “${shown.name}”.`
        : "There are no organizations yet.",
    );
  }
  const navigation = pager({
    page: shown.page,
    perPage: shown.perPage,
    total,
    hrefFor: (page) => hrefOf({ ...shown, page }),
  });
  if (items.length === 0) {
    return [empty(`Page ${shown.page} is past the last page.`), navigation];
  }
  const rows = items.map((organization) =>
    h(
      "tr",
      {},
      h(
        "td",
        {},
        h("a", { href: `#/organizations/${Number(organization.id)}` }, organization.name),
      ),
      h("td", {}, organization.domain ?? ""),
      h("td", {}, organization.country ?? ""),
    ),
  );
  return [
    h(
      "table",
      { class: "list organizations" },
      h("thead", {}, h("tr", {}, HEADINGS.map((label) => h("th", { scope: "col" }, label)))),
      h("tbody", {}, rows),
    ),
    navigation,
  ];
}
