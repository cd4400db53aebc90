// Registering a node (#/nodes/new): a collaboration, then one of its organizations that has
// no node there yet and that the user's rules let them register for. The new API key is
// shown on this page once; reloading or coming back shows an empty form.

import * as api from "../api.js";
import { h, replace } from "../dom.js";
import { field, outcome, valueOf, whileBusy } from "../forms.js";
import { newKey } from "../node-key.js";
import { mayHoldKey } from "../node-rules.js";
import { myPermissions } from "../permissions.js";
import { empty, fill, quiet } from "../states.js";

const ALL = 500; // the server's largest page: every collaboration and member at once

export const newNode = {
  title: "Register a node",
  public: false,
  async render({ main, signal }) {
    const content = h("div", { class: "card form-card" });
    replace(
      main,
      h("p", { class: "up" }, h("a", { href: "#/nodes" }, "All nodes")),
      h("h1", {}, "Register a node"),
      content,
    );
    const permissions = await fill(content, "your permissions", myPermissions, () => []);
    if (!permissions) return;
    if (!permissions.holds("create", "node")) {
      replace(content, empty("Your rules do not allow registering nodes."));
      return;
    }
    const query = new URLSearchParams({ sort: "name", per_page: ALL });
    const collaborations = await fill(
      content,
      "collaborations",
      () => api.list(`/collaboration?${query}`, { signal }),
      () => [],
    );
    if (!collaborations) return;
    if (collaborations.items.length === 0) {
      replace(content, empty("There is no collaboration to register a node in."));
      return;
    }
    const onRegistered = (node, apiKey, encrypted) => {
      content.replaceWith(registered({ node, apiKey, encrypted, signal }));
      document.getElementById("new-key-heading").focus();
    };
    replace(
      content,
      form({ collaborations: collaborations.items, permissions, onRegistered, signal }),
    );
    content.querySelector("select").focus();
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
  const message = outcome();
  const button = h("button", { type: "submit", disabled: true }, "Register node");
  const element = h(
    "form",
    { class: "node-form" },
    collaboration,
    members,
    name,
    message,
    h("div", { class: "actions" }, button),
  );

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

  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.say("");
    const collaborationId = Number(valueOf(collaboration));
    const body = {
      collaboration_id: collaborationId,
      organization_id: Number(valueOf(members)),
    };
    const chosenName = valueOf(name).trim();
    if (chosenName) body.name = chosenName;
    let sent;
    try {
      sent = await whileBusy(element, button, "Registering…", () =>
        api.request("POST", "/node", { body }),
      );
    } catch (error) {
      if (!quiet(error)) message.say(error.message, "error");
      return;
    }
    const { api_key: apiKey, ...node } = sent.answer;
    const encrypted = collaborations.find((found) => found.id === collaborationId).encrypted;
    onRegistered(node, apiKey, encrypted);
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
