// The roles the user may see: filtered by name, organization and whether default roles are
// included, a page at a time. What the list shows lives in the address
// (#/roles?name=…&organization=…&defaults=no&page=…&per_page=…), so that the back button
// and a shared link show the same list.

import * as api from "../api.js";
import { h, replace } from "../dom.js";
import { field, valueOf } from "../forms.js";
import { pager } from "../pager.js";
import { myPermissions } from "../permissions.js";
import * as router from "../router.js";
import { empty, fill } from "../states.js";
import { visibleOrganizations } from "../visible-organizations.js";

const HEADINGS = ["Name", "Organization", "Description"];
const PAGE_SIZES = [10, 25, 50];
const DEFAULTS = { name: "", organization: null, defaults: true, page: 1, perPage: 10 };

export default {
  title: "Roles",
  public: false,
  render({ main, params, signal }) {
    const shown = stateOf(params);
    // Busy until the permissions are known, so that "nothing offered" is an answer.
    const actions = h("div", { class: "page-actions", "aria-busy": "true" });
    const filters = h("div");
    const results = h("div", { class: "results" });
    replace(
      main,
      h("div", { class: "page-head" }, h("h1", {}, "Roles"), actions),
      filters,
      results,
    );
    offerNew(actions);
    fill(
      results,
      "roles",
      async () => {
        const organizations = await visibleOrganizations(signal);
        replace(filters, searchForm(shown, organizations));
        const ids = organizations.map((organization) => Number(organization.id));
        const found = await api.list(`/role?${apiQuery(shown, ids)}`, { signal });
        return { ...found, organizations };
      },
      (found) => table(found, shown),
    );
  },
};

function offerNew(actions) {
  myPermissions().then(
    (permissions) => {
      if (permissions.may("create", "role", { organization: permissions.organizationId })) {
        replace(actions, h("a", { class: "button", href: "#/roles/new" }, "New role"));
      }
    },
    () => {}, // offer nothing; the server would say why
  ).finally(() => actions.removeAttribute("aria-busy"));
}

/** What the address asks for, with defaults for what it leaves out or gets wrong. */
function stateOf(params) {
  const whole = (text) => (/^[1-9][0-9]{0,8}$/.test(text ?? "") ? Number(text) : null);
  const perPage = whole(params.get("per_page"));
  return {
    name: params.get("name") ?? DEFAULTS.name,
    organization: whole(params.get("organization")),
    defaults: params.get("defaults") !== "no",
    page: whole(params.get("page")) ?? DEFAULTS.page,
    perPage: PAGE_SIZES.includes(perPage) ? perPage : DEFAULTS.perPage,
  };
}

/** The address of the list in `state`, leaving out defaults. */
function hrefOf(state) {
  const params = new URLSearchParams();
  if (state.name) params.set("name", state.name);
  if (state.organization) params.set("organization", state.organization);
  if (!state.defaults) params.set("defaults", "no");
  if (state.page !== DEFAULTS.page) params.set("page", state.page);
  if (state.perPage !== DEFAULTS.perPage) params.set("per_page", state.perPage);
  const query = params.toString();
  return query ? `#/roles?${query}` : "#/roles";
}

/** The API's parameters. Default roles belong to no organization: asking for organizations
 * leaves them out unless include_root is set, so leaving them out of all roles means asking
 * for every organization's. The name filter is an SQL LIKE pattern: "contains" the text. */
function apiQuery(state, organizationIds) {
  const query = new URLSearchParams({ sort: "name", page: state.page, per_page: state.perPage });
  if (state.name) query.set("name", `%${state.name}%`);
  if (state.organization) {
    query.set("organization_id", state.organization);
    if (state.defaults) query.set("include_root", "true");
  } else if (!state.defaults) {
    for (const id of organizationIds) query.append("organization_id", id);
    if (organizationIds.length === 0) query.set("organization_id", "0"); // no such one: none
  }
  return query;
}

function searchForm(shown, organizations) {
  const option = (value, label, selected) =>
    h("option", { value, selected: String(value) === String(selected) }, label);
  const name = field("search-name", "Name contains", {
    type: "search",
    value: shown.name,
    autocomplete: "off",
  });
  const organization = field("search-organization", "Organization", {
    tag: "select",
    children: [
      option("", "Any organization", shown.organization ?? ""),
      organizations.map((o) => option(o.id, o.name, shown.organization)),
    ],
  });
  const defaults = field("search-defaults", "Default roles", {
    tag: "select",
    children: [
      option("yes", "Included", shown.defaults ? "yes" : "no"),
      option("no", "Left out", shown.defaults ? "yes" : "no"),
    ],
  });
  const perPage = field("search-per-page", "Per page", {
    tag: "select",
    children: PAGE_SIZES.map((size) => option(size, String(size), shown.perPage)),
  });
  const form = h(
    "form",
    { class: "search roles", role: "search", "aria-label": "Roles" },
    name,
    organization,
    defaults,
    perPage,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Search")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    router.navigate(
      hrefOf({
        name: valueOf(name).trim(),
        organization: Number(valueOf(organization)) || null,
        defaults: valueOf(defaults) === "yes",
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

function table({ items, total, organizations }, shown) {
  if (total === 0) {
    return empty(
      shown.name || shown.organization || !shown.defaults
        ? "No role matches these filters."
        : "There are no roles yet.",
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
  const rows = items.map((role) =>
    h(
      "tr",
      {},
      h(
        "td",
        {},
        h("a", { href: `#/roles/${Number(role.id)}` }, role.name),
        role.is_default_role ? [" ", h("span", { class: "tag" }, "default")] : null,
      ),
      h("td", {}, organizationName(role, organizations)),
      h("td", {}, role.description ?? ""),
    ),
  );
  return [
    h(
      "table",
      { class: "list roles" },
      h("thead", {}, h("tr", {}, HEADINGS.map((label) => h("th", { scope: "col" }, label)))),
      h("tbody", {}, rows),
    ),
    navigation,
  ];
}

function organizationName(role, organizations) {
  if (!role.organization) return "none (for everyone)";
  const id = Number(role.organization.id);
  return organizations.find((o) => Number(o.id) === id)?.name ?? `Organization ${id}`;
}
