// The organizations the user may see: searched by name, sorted, a page at a time.

import { h } from "../core/dom.js";
import { listPage } from "../parts/listing.js";

export default listPage({
  kind: "organizations",
  resource: "organization",
  title: "Organizations",
  one: "organization",
  newLabel: "New organization",
  columns: [
    {
      heading: "Name",
      cell: (organization) =>
        h("a", { href: `#/organizations/${Number(organization.id)}` }, organization.name),
    },
    { heading: "Domain", cell: (organization) => organization.domain },
    { heading: "Country", cell: (organization) => organization.country },
  ],
});
