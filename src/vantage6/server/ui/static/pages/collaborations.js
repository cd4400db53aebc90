// The collaborations the user may see: searched by name, sorted, a page at a time, each with
// whether it is encrypted and which organizations are in it.

import { h } from "../core/dom.js";
import { listPage } from "../parts/listing.js";

const MEMBERS_NAMED = 3; // more are counted, to keep a row short

export default listPage({
  kind: "collaborations",
  resource: "collaboration",
  title: "Collaborations",
  one: "collaboration",
  newLabel: "New collaboration",
  include: "organizations",
  columns: [
    {
      heading: "Name",
      cell: (collaboration) =>
        h("a", { href: `#/collaborations/${Number(collaboration.id)}` }, collaboration.name),
    },
    {
      heading: "Encryption",
      cell: (collaboration) => (collaboration.encrypted ? "Encrypted" : "Not encrypted"),
    },
    { heading: "Organizations", cell: (collaboration) => members(collaboration.organizations) },
  ],
});

/** "A, B, C and 2 more": the members the user may see. */
function members(organizations) {
  const names = organizations.slice(0, MEMBERS_NAMED).map((organization) => organization.name);
  const more = organizations.length - names.length;
  return more > 0 ? `${names.join(", ")} and ${more} more` : names.join(", ") || "None";
}
