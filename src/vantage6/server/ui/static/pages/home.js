// The first page after signing in: who is signed in, their organization and its
// collaborations.

import * as api from "../api.js";
import { details, h, replace } from "../dom.js";
import { currentUser, displayName } from "../me.js";
import { empty, fill } from "../states.js";

const MAX_COLLABORATIONS = 100;

export default {
  title: "Home",
  public: false,
  async render({ main, signal }) {
    const heading = h("h1", {}, "Welcome");
    const you = h("div", { class: "you" });
    const organization = h("div");
    const collaborations = h("div");
    replace(
      main,
      heading,
      you,
      h(
        "div",
        { class: "panels" },
        panel("organization-heading", "Your organization", organization),
        panel("collaborations-heading", "Your collaborations", collaborations),
      ),
    );
    const user = await fill(you, "your account", () => currentUser(), (found) => {
      heading.textContent = `Welcome, ${displayName(found)}`;
      return h("p", {}, "Signed in as ", h("strong", { class: "username" }, found.username));
    });
    if (!user) {
      replace(organization);
      replace(collaborations);
      return;
    }
    const organizationId = user.organization.id;
    fill(
      organization,
      "your organization",
      () => api.get(`/organization/${organizationId}`, { signal }),
      showOrganization,
    );
    const query = new URLSearchParams({
      organization_id: organizationId,
      sort: "name",
      per_page: MAX_COLLABORATIONS,
    });
    fill(
      collaborations,
      "your collaborations",
      () => api.list(`/collaboration?${query}`, { signal }),
      showCollaborations,
    );
  },
};

function panel(id, title, content) {
  return h(
    "section",
    { class: "card", "aria-labelledby": id },
    h("h2", { id }, title),
    content,
  );
}

function showOrganization(organization) {
  return [
    h("p", { class: "organization-name" }, organization.name),
    details([
      ["Domain", organization.domain],
      ["Country", organization.country],
      ["Public key", organization.public_key ? "set" : "not set"],
    ]),
  ];
}

function showCollaborations({ items, total }) {
  if (items.length === 0) {
    return empty("Your organization takes part in no collaboration yet.");
  }
  const list = h(
    "ul",
    { class: "collaborations" },
    items.map((collaboration) =>
      h(
        "li",
        {},
        h("span", { class: "collaboration-name" }, collaboration.name),
        h("span", { class: "tag" }, collaboration.encrypted ? "encrypted" : "not encrypted"),
      ),
    ),
  );
  const more = total > items.length ? h("p", {}, `The first ${items.length} of ${total}.`) : null;
  return [list, more];
}
