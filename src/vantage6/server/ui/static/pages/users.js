// The users the signed-in user may see: searched by username, narrowed to an organization,
// sorted, a page at a time. What the list shows lives in the address
// (#/users?username=…&organization=…&sort=…&page=…&per_page=…), so the browser's back
// button and a shared link show the same list.

import * as api from "../api.js";
import { h, replace } from "../dom.js";
import { field, valueOf } from "../forms.js";
import { pager } from "../pager.js";
import { myPermissions } from "../permissions.js";
import * as router from "../router.js";
import { empty, fill } from "../states.js";

const SORTS = [
  ["username", "Username, A to Z"],
  ["-username", "Username, Z to A"],
  ["-last_seen", "Recently seen first"],
  ["id", "Oldest first"],
  ["-id", "Newest first"],
];
// [heading, class]: a phone shows only the username and organization, which name a user.
const COLUMNS = [
  ["Username", null],
  ["Name", "wide-only"],
  ["Email", "wide-only"],
  ["Organization", null],
];
const PAGE_SIZES = [10, 25, 50];
const DEFAULTS = { username: "", organization: null, sort: "username", page: 1, perPage: 10 };
const MANY = 500; // the server's largest page: organizations to choose from and to name

export default {
  title: "Users",
  public: false,
  render({ main, params, signal }) {
    const shown = stateOf(params);
    // Busy until the permissions are known, so that "nothing offered" is an answer.
    const actions = h("div", { class: "page-actions", "aria-busy": "true" });
    const filters = h("div");
    const results = h("div", { class: "results" });
    replace(
      main,
      h("div", { class: "page-head" }, h("h1", {}, "Users"), actions),
      filters,
      results,
    );
    myPermissions()
      .then(
        (permissions) => {
          if (permissions.holds("create", "user")) {
            replace(actions, h("a", { class: "button", href: "#/users/new" }, "New user"));
          }
        },
        () => {}, // offer nothing; the server would say why
      )
      .finally(() => actions.removeAttribute("aria-busy"));
    const organizations = visibleOrganizations(signal);
    organizations.then((found) => replace(filters, searchForm(shown, found)));
    fill(
      results,
      "users",
      async () => [await api.list(`/user?${apiQuery(shown)}`, { signal }), await organizations],
      ([found, named]) => table(found, shown, named),
    );
  },
};

/** The organizations the user may see, by name; none when they may not list them (the
 * list then shows ids and offers no organization filter). */
async function visibleOrganizations(signal) {
  try {
    return (await api.list(`/organization?sort=name&per_page=${MANY}`, { signal })).items;
  } catch {
    return [];
  }
}

/** What the address asks for, with defaults for what it leaves out or gets wrong. */
function stateOf(params) {
  const whole = (text) => (/^[1-9][0-9]{0,8}$/.test(text ?? "") ? Number(text) : null);
  const perPage = whole(params.get("per_page"));
  const sort = params.get("sort");
  return {
    username: params.get("username") ?? DEFAULTS.username,
    organization: whole(params.get("organization")) ?? DEFAULTS.organization,
    sort: SORTS.some(([value]) => value === sort) ? sort : DEFAULTS.sort,
    page: whole(params.get("page")) ?? DEFAULTS.page,
    perPage: PAGE_SIZES.includes(perPage) ? perPage : DEFAULTS.perPage,
  };
}

/** The address of the list in `state`, leaving out defaults. */
function hrefOf(state) {
  const params = new URLSearchParams();
  if (state.username) params.set("username", state.username);
  if (state.organization) params.set("organization", state.organization);
  if (state.sort !== DEFAULTS.sort) params.set("sort", state.sort);
  if (state.page !== DEFAULTS.page) params.set("page", state.page);
  if (state.perPage !== DEFAULTS.perPage) params.set("per_page", state.perPage);
  const query = params.toString();
  return query ? `#/users?${query}` : "#/users";
}

/** The API's parameters; the username filter is an SQL LIKE pattern: "contains" the text. */
function apiQuery(state) {
  const query = new URLSearchParams({
    sort: state.sort,
    page: state.page,
    per_page: state.perPage,
  });
  if (state.username) query.set("username", `%${state.username}%`);
  if (state.organization) query.set("organization_id", state.organization);
  return query;
}

function searchForm(shown, organizations) {
  const options = (pairs, selected) =>
    pairs.map(([value, label]) =>
      h("option", { value, selected: String(value) === String(selected) }, label),
    );
  const username = field("search-username", "Username contains", {
    type: "search",
    value: shown.username,
    autocomplete: "off",
  });
  // Narrowing to an organization helps only those who see more than one.
  const organization =
    organizations.length > 1
      ? field("search-organization", "Organization", {
          tag: "select",
          children: options(
            [["", "All organizations"], ...organizations.map((o) => [o.id, o.name])],
            shown.organization ?? "",
          ),
        })
      : null;
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
    { class: "search users-search", role: "search", "aria-label": "Users" },
    username,
    organization,
    sort,
    perPage,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Search")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    router.navigate(
      hrefOf({
        username: valueOf(username).trim(),
        organization: organization ? Number(valueOf(organization)) || null : shown.organization,
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

function table({ items, total }, shown, organizations) {
  if (total === 0) {
    return empty(
      shown.username || shown.organization
        ? "No user matches this search."
        : "There are no users you may see.",
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
  const names = new Map(organizations.map((o) => [Number(o.id), o.name]));
  const cell = (tag, i, content) =>
    h(tag, { class: COLUMNS[i][1], scope: tag === "th" ? "col" : null }, content);
  const rows = items.map((user) => {
    const organizationId = Number(user.organization.id);
    return h(
      "tr",
      {},
      [
        h("a", { href: `#/users/${Number(user.id)}` }, user.username),
        [user.firstname, user.lastname].filter(Boolean).join(" "),
        user.email ?? "",
        names.get(organizationId) ?? `Organization ${organizationId}`,
      ].map((content, i) => cell("td", i, content)),
    );
  });
  return [
    h(
      "table",
      { class: "list users" },
      h("thead", {}, h("tr", {}, COLUMNS.map(([label], i) => cell("th", i, label)))),
      h("tbody", {}, rows),
    ),
    navigation,
  ];
}
