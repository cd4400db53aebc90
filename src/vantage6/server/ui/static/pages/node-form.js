// Registering a node (#/nodes/new): a collaboration, then one of its organizations that has
// no node there yet and that the user's rules let them register for. The new API key is
// shown on this page once; reloading or coming back shows an empty form.

import * as api from "../core/api.js";
import { h, replace } from "../core/dom.js";
import { formPage } from "../parts/form-page.js";
import { field, sendingForm, valueOf } from "../parts/forms.js";
import { newKey } from "../parts/node-key.js";
import { mayHoldKey } from "../access/node-rules.js";
import { myPermissions } from "../access/permissions.js";
import { empty, fill } from "../core/states.js";

const ALL = 500; // the server's largest page: every collaboration and member at once

export const newNode = {
  title: "Register a node",
  public: false,
  render({ main, signal }) {
    formPage(main, {
      list: "nodes",
      heading: "Register a node",
      what: "your permissions",
      load: myPermissions,
      refusal: (permissions) =>
        permissions.holds("create", "node") ? null : "Your rules do not allow registering nodes.",
      async form(permissions, card) {
        const query = new URLSearchParams({ sort: "name", per_page: ALL });
        const collaborations = await fill(
          card,
          "collaborations",
          () => api.list(`/collaboration?${query}`, { signal }),
          () => [],
        );
        if (!collaborations) return null;
        if (collaborations.items.length === 0) {
          return empty("There is no collaboration to register a node in.");
        }
        const onRegistered = (node, apiKey, encrypted) => {
          card.replaceWith(registered({ node, apiKey, encrypted, signal }));
          document.getElementById("new-key-heading").focus();
        };
        return form({ collaborations: collaborations.items, permissions, onRegistered, signal });
      },
      focus: "select",
    });
  },
};

/** The form; onRegistered(node, apiKey, encrypted) shows what the server answered. */
function form({ collaborations, permissions, onRegistered, signal }) {
  const collaboration = field("node-collaboration", "Collaboration", {
    tag: "select",
    required: true,
    children: [
      h("option", { value: "" }, "Choose a collaboration"),
      collaborations.map((found) => h("option", { value: Number(found.id) }, found.name)),
    ],
  });
  const members = h("div", { class: "members" });
  const name = field("node-name", "Name (optional)", {
    maxlength: 128,
    "aria-describedby": "node-name-hint",
  });
  name.append(
    h(
      "p",
      { id: "node-name-hint", class: "hint" },
      "Empty: “<organization> - <collaboration> Node”.",
    ),
  );
  const { form: element, line: message, button } = sendingForm({
    attributes: { class: "node-form" },
    children: [collaboration, members, name],
    submit: "Register node",
    working: "Registering…",
    async send() {
      const collaborationId = Number(valueOf(collaboration));
      const body = {
        collaboration_id: collaborationId,
        organization_id: Number(valueOf(members)),
      };
      const chosenName = valueOf(name).trim();
      if (chosenName) body.name = chosenName;
      const { api_key: apiKey, ...node } = (await api.request("POST", "/node", { body })).answer;
      const encrypted = collaborations.find((found) => found.id === collaborationId).encrypted;
      onRegistered(node, apiKey, encrypted);
    },
  });
  button.disabled = true; // until an organization is chosen

  collaboration.querySelector("select").addEventListener("change", async () => {
    message.say("");
    button.disabled = true;
    const id = valueOf(collaboration);
    if (!id) {
      replace(members);
      return;
    }
    const choices = await fill(
      members,
      "its organizations",
      async () => {
        const organizations = await unregistered(Number(id), permissions, signal);
        // Chosen another collaboration meanwhile: that choice's answer draws the field.
        if (valueOf(collaboration) !== id) throw new DOMException("superseded", "AbortError");
        return organizations;
      },
      organizationField,
    );
    if (valueOf(collaboration) === id) button.disabled = !choices?.length;
  });

  return element;
}

/** The organizations of collaboration `id` without a node in it, that the user may register
 * a node for (the server decides in the end). */
async function unregistered(id, permissions, signal) {
  const query = new URLSearchParams({ collaboration_id: id, sort: "name", per_page: ALL });
  const [organizations, nodes] = await Promise.all([
    api.list(`/organization?${query}`, { signal }),
    api.list(`/node?${new URLSearchParams({ collaboration_id: id, per_page: ALL })}`, { signal }),
  ]);
  const registered = new Set(nodes.items.map((node) => node.organization.id));
  return organizations.items.filter(
    (organization) =>
      !registered.has(organization.id) && mayHoldKey(permissions, "create", organization.id),
  );
}

function organizationField(organizations) {
  if (organizations.length === 0) {
    return empty(
      "Every organization of this collaboration that you may register a node for has one.",
    );
  }
  return field("node-organization", "Organization", {
    tag: "select",
    required: true,
    children: organizations.map((organization) =>
      h("option", { value: Number(organization.id) }, organization.name),
    ),
  });
}

function registered({ node, apiKey, encrypted, signal }) {
  return h(
    "div",
    { class: "registered" },
    h(
      "p",
      { class: "notice", role: "status" },
      `Node “${node.name}” was registered. `,
      h("a", { href: `#/nodes/${Number(node.id)}` }, "Go to the node"),
    ),
    newKey({ node, apiKey, encrypted, signal }),
  );
}
