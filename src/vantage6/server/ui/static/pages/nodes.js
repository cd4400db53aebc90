// The nodes the user may see, with whether each is online: filtered by name, collaboration,
// organization and status, sorted, a page at a time. What the list shows lives in the
// address (#/nodes?name=…&collaboration=…&organization=…&status=…&sort=…&page=…), so the
// back button and a shared link show the same list.

import * as api from "../api.js";
import { h, replace } from "../dom.js";
import { field, valueOf } from "../forms.js";
import { lastSeen, statusTag } from "../node-status.js";
import { pager } from "../pager.js";
import { myPermissions } from "../permissions.js";
import * as router from "../router.js";
import { empty, fill, quiet } from "../states.js";

const SORTS = [
  ["name", "Name, A to Z"],
  ["-name", "Name, Z to A"],
  ["-status", "Online first"],
  ["-last_seen", "Seen most recently"],
  ["-id", "Newest first"],
];
const STATUSES = [
  ["", "Any"],
  ["online", "Online"],
  ["offline", "Offline"],
];
const HEADINGS = ["Name", "Status", "Organization", "Collaboration", "Last seen"];
const PAGE_SIZES = [10, 25, 50];
const ALL = 500; // the server's largest page: the names for the filters and the table
const DEFAULTS = {
  name: "",
  collaboration: "",
  organization: "",
  status: "",
  sort: "name",
  page: 1,
  perPage: PAGE_SIZES[0],
};

export default {
  title: "Nodes",
  public: false,
  render({ main, params, signal }) {
    const shown = stateOf(params);
    // Busy until the permissions are known, so that "nothing offered" is an answer.
    const actions = h("div", { class: "page-actions", "aria-busy": "true" });
    const filters = h("div");
    const results = h("div", { class: "results" });
    const head = h("div", { class: "page-head" }, h("h1", {}, "Nodes"), actions);
    replace(main, head, filters, results);
    const permissions = myPermissions();
    permissions.then(
      (mine) => {
        if (mine.holds("create", "node")) {
          replace(actions, h("a", { class: "button", href: "#/nodes/new" }, "Register a node"));
        }
      },
      () => {}, // offer nothing; the list says why
    ).finally(() => actions.removeAttribute("aria-busy"));
    // The filters need the names of collaborations and organizations, the table too.
    const names = permissions.then(async (mine) => {
      const [collaborations, organizations] = await Promise.all([
        namesOf("collaboration", mine, signal),
        namesOf("organization", mine, signal),
      ]);
      return { collaborations, organizations };
    });
    names.then(
      (found) => replace(filters, searchForm(shown, found)),
      (error) => {
        if (!quiet(error)) replace(filters, searchForm(shown, {})); // the list says why
      },
    );
    fill(
      results,
      "nodes",
      () => Promise.all([api.list(`/node?${apiQuery(shown)}`, { signal }), names]),
      ([found, named]) => table(found, shown, named),
    );
  },
};

/** Id -> name of the collaborations or organizations the user may see; null when their
 * rules do not let them or the server refuses (the filter is then left out and the table
 * shows ids). */
async function namesOf(resource, permissions, signal) {
  if (!permissions.holds("view", resource)) return null;
  const query = new URLSearchParams({ sort: "name", per_page: ALL });
  try {
    const { items } = await api.list(`/${resource}?${query}`, { signal });
    return new Map(items.map((item) => [Number(item.id), item.name]));
  } catch (error) {
    if (quiet(error)) throw error;
    return null;
  }
}

/** What the address asks for, with defaults for what it leaves out or gets wrong. */
function stateOf(params) {
  const whole = (text) => (/^[1-9][0-9]{0,8}$/.test(text ?? "") ? Number(text) : null);
  const perPage = whole(params.get("per_page"));
  const sort = params.get("sort");
  const status = params.get("status");
  return {
    name: params.get("name") ?? DEFAULTS.name,
    collaboration: whole(params.get("collaboration")) ?? DEFAULTS.collaboration,
    organization: whole(params.get("organization")) ?? DEFAULTS.organization,
    status: STATUSES.some(([value]) => value === status) ? status : DEFAULTS.status,
    sort: SORTS.some(([value]) => value === sort) ? sort : DEFAULTS.sort,
    page: whole(params.get("page")) ?? DEFAULTS.page,
    perPage: PAGE_SIZES.includes(perPage) ? perPage : DEFAULTS.perPage,
  };
}

/** The address of the list in `state`, leaving out defaults. */
function hrefOf(state) {
  const params = new URLSearchParams();
  const names = { perPage: "per_page" };
  for (const [key, value] of Object.entries(state)) {
    if (value !== DEFAULTS[key]) params.set(names[key] ?? key, value);
  }
  const query = params.toString();
  return query ? `#/nodes?${query}` : "#/nodes";
}

/** The API's parameters; the name filter is an SQL LIKE pattern: "contains" the text. */
function apiQuery(state) {
  const query = new URLSearchParams({
    sort: state.sort,
    page: state.page,
    per_page: state.perPage,
  });
  if (state.name) query.set("name", `%${state.name}%`);
  if (state.collaboration) query.set("collaboration_id", state.collaboration);
  if (state.organization) query.set("organization_id", state.organization);
  if (state.status) query.set("status", state.status);
  return query;
}

function options(pairs, selected) {
  return pairs.map(([value, label]) =>
    h("option", { value, selected: String(value) === String(selected) }, label),
  );
}

/** A select of the names in `names` (or nothing when they are unknown), "Any" first. */
function choice(id, label, names, selected) {
  if (!names) return null;
  return field(id, label, {
    tag: "select",
    children: options([["", "Any"], ...names], selected),
  });
}

function searchForm(shown, { collaborations, organizations }) {
  const name = field("search-name", "Name contains", {
    type: "search",
    value: shown.name,
    autocomplete: "off",
  });
  const collaboration = choice(
    "search-collaboration",
    "Collaboration",
    collaborations,
    shown.collaboration,
  );
  const organization = choice(
    "search-organization",
    "Organization",
    organizations,
    shown.organization,
  );
  const status = field("search-status", "Status", {
    tag: "select",
    children: options(STATUSES, shown.status),
  });
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
    { class: "search nodes", role: "search", "aria-label": "Nodes" },
    name,
    collaboration,
    organization,
    status,
    sort,
    perPage,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Search")),
  );
  const idOf = (wrapper, kept) => (wrapper ? Number(valueOf(wrapper)) || "" : kept);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    router.navigate(
      hrefOf({
        name: valueOf(name).trim(),
        collaboration: idOf(collaboration, shown.collaboration),
        organization: idOf(organization, shown.organization),
        status: valueOf(status),
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

function filtered(shown) {
  return Boolean(shown.name || shown.collaboration || shown.organization || shown.status);
}

function table({ items, total }, shown, names) {
  if (total === 0) {
    return empty(filtered(shown) ? "No node matches these filters." : "There are no nodes yet.");
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
  const nameIn = (map, reference, what) =>
    map?.get(Number(reference.id)) ?? `${what} ${Number(reference.id)}`;
  // data-label: the column's heading, which phones show beside each value (app.css).
  const rows = items.map((node) => {
    const cells = [
      h("a", { href: `#/nodes/${Number(node.id)}` }, node.name),
      statusTag(node.status),
      nameIn(names.organizations, node.organization, "Organization"),
      nameIn(names.collaborations, node.collaboration, "Collaboration"),
      lastSeen(node.last_seen),
    ];
    return h(
      "tr",
      {},
      cells.map((cell, i) => h("td", { "data-label": HEADINGS[i] }, cell)),
    );
  });
  return [
    h(
      "table",
      { class: "list nodes" },
      h("thead", {}, h("tr", {}, HEADINGS.map((label) => h("th", { scope: "col" }, label)))),
      h("tbody", {}, rows),
    ),
    navigation,
  ];
}
