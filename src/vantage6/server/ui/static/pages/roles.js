// The roles the user may see: filtered by name, organization and whether default roles are
// included, a page at a time (#/roles?name=…&organization=…&defaults=no&page=…&per_page=…).

import { h } from "../core/dom.js";
import { choiceFilter, idFilter, listPage } from "../parts/listing.js";
import { visibleOrganizations } from "../access/visible-organizations.js";

export default listPage({
  kind: "roles",
  resource: "role",
  title: "Roles",
  newLabel: "New role",
  mayCreate: (permissions) =>
    permissions.may("create", "role", { organization: permissions.organizationId }),
  sorts: [["name", "Name, A to Z"]],
  filters: [
    idFilter({
      key: "organization",
      label: "Organization",
      any: "Any organization",
      choices: (organizations) => organizations.map((o) => [o.id, o.name]),
    }),
    choiceFilter({
      key: "defaults",
      label: "Default roles",
      choices: [
        ["yes", "Included"],
        ["no", "Left out"],
      ],
    }),
  ],
  load: visibleOrganizations,
  narrow,
  empty: { unmatched: "No role matches these filters." },
  columns: [
    {
      heading: "Name",
      cell: (role) => [
        h("a", { href: `#/roles/${Number(role.id)}` }, role.name),
        role.is_default_role ? [" ", h("span", { class: "tag" }, "default")] : null,
      ],
    },
    { heading: "Organization", cell: organizationName },
    { heading: "Description", cell: (role) => role.description ?? "" },
  ],
});

/** The filters in the API's terms. Default roles belong to no organization: asking for
 * organizations leaves them out unless include_root is set, so leaving them out of all roles
 * means asking for every organization's. */
function narrow(query, shown, organizations) {
  if (shown.organization) {
    query.set("organization_id", shown.organization);
    if (shown.defaults === "yes") query.set("include_root", "true");
  } else if (shown.defaults === "no") {
    for (const organization of organizations) {
      query.append("organization_id", Number(organization.id));
    }
    if (organizations.length === 0) query.set("organization_id", "0"); // no such one: none
  }
}

function organizationName(role, organizations) {
  if (!role.organization) return "none (for everyone)";
  const id = Number(role.organization.id);
  return organizations.find((o) => Number(o.id) === id)?.name ?? `Organization ${id}`;
}
