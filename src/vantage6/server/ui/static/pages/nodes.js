// The nodes the user may see, with whether each is online: filtered by name, collaboration,
// organization and status, sorted, a page at a time
// (#/nodes?name=…&collaboration=…&organization=…&status=…&sort=…&page=…).

import { h } from "../core/dom.js";
import { choiceFilter, listPage } from "../parts/listing.js";
import { nameIn, namesFilter, namesOf } from "../parts/names.js";
import { lastSeen, statusTag } from "../parts/node-status.js";
import { myPermissions } from "../access/permissions.js";

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
    namesFilter({
      kind: "collaborations",
      key: "collaboration",
      label: "Collaboration",
      apiParameter: "collaboration_id",
    }),
    namesFilter({
      kind: "organizations",
      key: "organization",
      label: "Organization",
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
