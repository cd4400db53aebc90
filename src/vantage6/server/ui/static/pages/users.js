// The users the signed-in user may see: searched by username, narrowed to an organization,
// sorted, a page at a time (#/users?username=…&organization=…&sort=…&page=…&per_page=…).

import { h } from "../core/dom.js";
import { idFilter, listPage } from "../parts/listing.js";
import { visibleOrganizations } from "../access/visible-organizations.js";

export default listPage({
  kind: "users",
  resource: "user",
  title: "Users",
  newLabel: "New user",
  mayCreate: (permissions) => permissions.holds("create", "user"),
  search: { key: "username", label: "Username contains" },
  sorts: [
    ["username", "Username, A to Z"],
    ["-username", "Username, Z to A"],
    ["-last_seen", "Recently seen first"],
    ["id", "Oldest first"],
    ["-id", "Newest first"],
  ],
  filters: [
    idFilter({
      key: "organization",
      label: "Organization",
      any: "All organizations",
      // Narrowing to an organization helps only those who see more than one.
      choices: (names) => (names.size > 1 ? [...names] : null),
      apiParameter: "organization_id",
    }),
  ],
  load: organizationNames,
  empty: { none: "There are no users you may see.", unmatched: "No user matches this search." },
  // A phone shows only the username and organization, which name a user.
  columns: [
    {
      heading: "Username",
      cell: (user) => h("a", { href: `#/users/${Number(user.id)}` }, user.username),
    },
    {
      heading: "Name",
      class: "wide-only",
      cell: (user) => [user.firstname, user.lastname].filter(Boolean).join(" "),
    },
    { heading: "Email", class: "wide-only", cell: (user) => user.email ?? "" },
    {
      heading: "Organization",
      cell: (user, names) => {
        const id = Number(user.organization.id);
        return names.get(id) ?? `Organization ${id}`;
      },
    },
  ],
});

/** Id -> name of the organizations the user may see, in name order; none when their rules
 * show them none (the list then shows ids and offers no organization filter). */
async function organizationNames(signal) {
  const organizations = await visibleOrganizations(signal);
  return new Map(organizations.map((o) => [Number(o.id), o.name]));
}
