// One collaboration: whether it is encrypted, its organizations (added and removed by users
// whose rules allow that), its nodes and whether each is online, and editing and deleting it.

import * as api from "../core/api.js";
import { details, h, replace } from "../core/dom.js";
import { outcome, whileBusy } from "../parts/forms.js";
import { offer, settle } from "../parts/offers.js";
import { organizationSelect } from "../parts/organization-picker.js";
import { nodeItem, panel, shortList } from "../parts/panels.js";
import { myPermissions } from "../access/permissions.js";
import { deleteOffer, named, recordPage } from "../parts/record-page.js";
import { empty, fill, quiet } from "../core/states.js";
import { visibleOrganizations } from "../access/visible-organizations.js";

const NODES_SHOWN = 50; // a collaboration has a node per organization at most
const WITH_DEPENDENTS = "delete_dependents";

export default {
  title: "Collaboration",
  public: false,
  async render({ main, args, signal }) {
    const path = `/collaboration/${encodeURIComponent(args.id)}`;
    const about = h("div", { class: "card about" });
    const related = h("div", { class: "panels" });
    const { heading, actions } = recordPage(
      main,
      { list: "collaborations", title: "Collaboration" },
      about,
      related,
    );
    const collaboration = await fill(
      about,
      "the collaboration",
      () => api.get(`${path}?include=organizations`, { signal }),
      describe,
    );
    if (!collaboration) {
      settle(actions);
      return;
    }
    named(heading, collaboration.name);
    offerChanges(actions, collaboration, path);

    const nodes = h("div");
    const query = new URLSearchParams({
      collaboration_id: Number(collaboration.id),
      sort: "name",
      per_page: NODES_SHOWN,
    });
    const showNodes = () =>
      fill(
        nodes,
        "nodes",
        () => api.list(`/node?${query}`, { signal }),
        (found) => shortList(found, nodeItem, "No nodes yet."),
      );
    related.append(
      membersPanel({ path, members: collaboration.organizations, signal, onChange: showNodes }),
      panel("nodes-heading", "Nodes", nodes),
    );
    showNodes();
  },
};

/** What `may` needs to know of a collaboration: a rule at collaboration scope reaches the
 * collaborations of the user's organization, so this one when that organization is a member
 * (as is a rule at organization scope, for viewing). */
export function reachOf(permissions, collaboration) {
  const member = collaboration.organizations.some(
    (organization) => Number(organization.id) === permissions.organizationId,
  );
  return { organization: member ? permissions.organizationId : null };
}

function describe(collaboration) {
  return details([
    ["Name", collaboration.name],
    ["Encrypted", collaboration.encrypted ? "Yes" : "No"],
    ["Organizations", String(collaboration.organizations.length)],
    ["Id", String(collaboration.id)],
  ]);
}

/** Edit and Delete, for users whose rules allow them (the server decides in the end). */
function offerChanges(actions, collaboration, path) {
  const id = Number(collaboration.id);
  offer(actions, (permissions) => {
    const reach = reachOf(permissions, collaboration);
    return [
      permissions.may("edit", "collaboration", reach)
        ? h("a", { class: "button", href: `#/collaborations/${id}/edit` }, "Edit")
        : null,
      permissions.may("delete", "collaboration", reach)
        ? deleteOffer({ kind: "collaboration", id, name: collaboration.name, path })
        : null,
    ];
  });
}

/**
 * The member organizations. Users whose rules allow changing the members (the global
 * collaboration edit rule, as on the server) get a Remove button for each and a form to add
 * one; onChange() runs after a change (removing a member may delete its node along).
 */
function membersPanel({ path, members, signal, onChange }) {
  const headingId = "organizations-heading";
  const list = h("div");
  const message = outcome();
  const second = h("div"); // the explicit second choice after a refusal
  const adding = h("div");
  const section = panel(headingId, "Organizations", [list, message, second, adding]);
  const heading = section.querySelector("h2");
  heading.setAttribute("tabindex", "-1");
  let current = members;
  let manage = false;
  let candidates = null; // the organizations one could add, once loaded

  function show(found) {
    current = found;
    replace(
      list,
      found.length
        ? h("ul", { class: "short-list" }, found.map((member) => h("li", {}, item(member))))
        : empty("No organizations yet."),
    );
    if (candidates) replace(adding, addForm());
  }

  function item(organization) {
    const name = h(
      "a",
      { class: "item-name", href: `#/organizations/${Number(organization.id)}` },
      organization.name,
    );
    if (!manage) return name;
    const remove = h(
      "button",
      { type: "button", class: "secondary", "aria-label": `Remove ${organization.name}` },
      "Remove",
    );
    remove.addEventListener("click", () => change("DELETE", organization, remove));
    return [name, remove];
  }

  function addForm() {
    const inside = new Set(current.map((organization) => Number(organization.id)));
    const outside = candidates.filter((organization) => !inside.has(Number(organization.id)));
    if (outside.length === 0) {
      return empty("Every organization you can see is in this collaboration.");
    }
    const choice = organizationSelect("organization-to-add", "Organization to add", outside);
    const button = h("button", { type: "submit" }, "Add organization");
    const form = h("form", { class: "add-member" }, choice, h("div", { class: "actions" }, button));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const picked = Number(choice.querySelector("select").value);
      const organization = outside.find((found) => Number(found.id) === picked);
      change("POST", organization, button);
    });
    return form;
  }

  /** Add (POST) or remove (DELETE) organization, with what it still has here when `along`;
   * the server answers with the members now. */
  async function change(method, organization, button, { along = false } = {}) {
    message.say("");
    replace(second);
    const isAdding = method === "POST";
    const address = `${path}/organization${along ? `?${WITH_DEPENDENTS}=true` : ""}`;
    let sent;
    try {
      sent = await whileBusy(section, button, isAdding ? "Adding…" : "Removing…", () =>
        api.request(method, address, { body: { id: Number(organization.id) } }),
      );
    } catch (error) {
      if (quiet(error)) return;
      message.say(error.message, "error");
      if (!isAdding && error.status === 400 && error.message.includes(WITH_DEPENDENTS)) {
        offerRemovingAlong(organization);
      }
      return;
    }
    show(sent.answer);
    message.say(`${organization.name} was ${isAdding ? "added" : "removed"}.`);
    // The button clicked may be gone: keep the focus in the panel.
    ((isAdding && section.querySelector("select")) || heading).focus();
    onChange();
  }

  function offerRemovingAlong(organization) {
    const along = h(
      "button",
      { type: "button", class: "danger" },
      `Remove ${organization.name} and delete what it still has here`,
    );
    along.addEventListener("click", () => change("DELETE", organization, along, { along: true }));
    replace(second, h("div", { class: "actions" }, along));
  }

  show(members);
  section.setAttribute("aria-busy", "true");
  myPermissions()
    .then(
      (permissions) => {
        manage = permissions.may("edit", "collaboration");
        show(current);
        if (manage) {
          fill(
            adding,
            "organizations to add",
            () => visibleOrganizations(signal),
            (found) => {
              candidates = found;
              return addForm();
            },
          );
        }
      },
      () => {}, // offer nothing; the server would say why
    )
    .finally(() => section.removeAttribute("aria-busy"));
  return section;
}
