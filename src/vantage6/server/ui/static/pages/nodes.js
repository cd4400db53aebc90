// The nodes the user may see, with whether each is online: filtered by name, collaboration,
// organization and status, sorted, a page at a time
// (#/nodes?name=…&collaboration=…&organization=…&status=…&sort=…&page=…).

import * as api from "../core/api.js";
import { h } from "../core/dom.js";
import { choiceFilter, idFilter, listPage } from "../parts/listing.js";
import { lastSeen, statusTag } from "../parts/node-status.js";
import { myPermissions } from "../access/permissions.js";
import { quiet } from "../core/states.js";

const ALL = 500; // the server's largest page: the names for the filters and the table

export default listPage({
  kind: "nodes",
  resource: "node",
  title: "Nodes",
  newLabel: "Register a node",
  mayCreate: (permissions) => permissions.holds("create", "node"),
  sorts: [
    ["name", "Name, A to Z"],
    ["-name", "Name, Z to A"],
    ["-status", "Online first"],
    ["-last_seen", "Seen most recently"],
    ["-id", "Newest first"],
  ],
  filters: [
    idFilter({
      key: "collaboration",
      label: "Collaboration",
      any: "Any",
      choices: (names) => names.collaborations && [...names.collaborations],
      apiParameter: "collaboration_id",
    }),
    idFilter({
      key: "organization",
      label: "Organization",
      any: "Any",
      choices: (names) => names.organizations && [...names.organizations],
      apiParameter: "organization_id",
    }),
    choiceFilter({
      key: "status",
      label: "Status",
      choices: [
        ["", "Any"],
        ["online", "Online"],
        ["offline", "Offline"],
      ],
      apiParameter: "status",
    }),
  ],
  load: loadNames,
  empty: { unmatched: "No node matches these filters." },
  columns: [
    { heading: "Name", cell: (node) => h("a", { href: `#/nodes/${Number(node.id)}` }, node.name) },
    { heading: "Status", cell: (node) => statusTag(node.status) },
    {
      heading: "Organization",
      cell: (node, { organizations }) => nameIn(organizations, node.organization, "Organization"),
    },
    {
      heading: "Collaboration",
      cell: (node, { collaborations }) =>
        nameIn(collaborations, node.collaboration, "Collaboration"),
    },
    { heading: "Last seen", cell: (node) => lastSeen(node.last_seen) },
  ],
});

/** The names of the collaborations and organizations, which the filters and the table need. */
async function loadNames(signal) {
  const mine = await myPermissions();
  const [collaborations, organizations] = await Promise.all([
    namesOf("collaboration", mine, signal),
    namesOf("organization", mine, signal),
  ]);
  return { collaborations, organizations };
}

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

function nameIn(names, reference, what) {
  return names?.get(Number(reference.id)) ?? `${what} ${Number(reference.id)}`;
}
