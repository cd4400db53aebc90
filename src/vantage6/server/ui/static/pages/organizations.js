// The organizations the user may see: searched by name, sorted, a page at a time.

import { h } from "../dom.js";
import { listPage } from "../listing.js";

export default listPage({
  kind: "organizations",
  resource: "organization",
  title: "Organizations",
  one: "organization",
  newLabel: "New organization",
  headings: ["Name", "Domain", "Country"],
  cells: (organization) => [
    h("a", { href: `#/organizations/${Number(organization.id)}` }, organization.name),
    organization.domain,
    organization.country,
  ],
});
