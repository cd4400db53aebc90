// One organization: what it is, its users, nodes and collaborations (a short list of each),
// and editing and deleting it for users whose rules allow that.

import * as api from "../core/api.js";
import { details, h, replace } from "../core/dom.js";
import { offer, settle } from "../parts/offers.js";
import { nodeItem, panel, shortList } from "../parts/panels.js";
import { deleteOffer, named, recordPage } from "../parts/record-page.js";
import { fill } from "../core/states.js";

const SHORT_LIST = 10;

export default {
  title: "Organization",
  public: false,
  async render({ main, args, signal }) {
    const path = `/organization/${encodeURIComponent(args.id)}`;
    const about = h("div", { class: "card about" });
    const related = h("div", { class: "panels three" });
    const { heading, actions } = recordPage(
      main,
      { list: "organizations", title: "Organization" },
      about,
      related,
    );
    const organization = await fill(
      about,
      "the organization",
      () => api.get(path, { signal }),
      describe,
    );
    if (!organization) {
      settle(actions);
      return;
    }
    named(heading, organization.name);
    offerChanges(actions, organization, path);
    const id = Number(organization.id);
    for (const [title, resource, sort, item] of [
      ["Users", "user", "username", userItem],
      ["Nodes", "node", "name", nodeItem],
      ["Collaborations", "collaboration", "name", collaborationItem],
    ]) {
      const content = h("div");
      related.append(panel(`${resource}s-heading`, title, content));
      const query = new URLSearchParams({ organization_id: id, sort, per_page: SHORT_LIST });
      fill(
        content,
        title.toLowerCase(),
        () => api.list(`/${resource}?${query}`, { signal }),
        (found) => shortList(found, item, `No ${title.toLowerCase()} yet.`),
      );
    }
  },
};

function describe(organization) {
  const address = [organization.address1, organization.address2, organization.zipcode]
    .filter(Boolean)
    .join(", ");
  return details([
    ["Name", organization.name],
    ["Domain", organization.domain],
    ["Address", address],
    ["Country", organization.country],
    ["Public key", organization.public_key ? "set" : "not set"],
    ["Id", String(organization.id)],
  ]);
}

/** Edit and Delete, for users whose rules allow them (the server decides in the end). */
function offerChanges(actions, organization, path) {
  const id = Number(organization.id);
  offer(actions, (permissions) => [
    permissions.may("edit", "organization", { organization: id })
      ? h("a", { class: "button", href: `#/organizations/${id}/edit` }, "Edit")
      : null,
    permissions.may("delete", "organization")
      ? deleteOffer({ kind: "organization", id, name: organization.name, path })
      : null,
  ]);
}

function userItem(user) {
  const name = [user.firstname, user.lastname].filter(Boolean).join(" ");
  return [
    h("span", { class: "item-name" }, user.username),
    name ? h("span", { class: "tag" }, name) : null,
  ];
}

function collaborationItem(collaboration) {
  return [
    h("span", { class: "item-name" }, collaboration.name),
    h("span", { class: "tag" }, collaboration.encrypted ? "encrypted" : "not encrypted"),
  ];
}
