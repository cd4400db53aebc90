// Creating a role (#/roles/new) and editing one (#/roles/<id>/edit): name, description, the
// organization (when creating, if the user may choose) and the rules, ticked in the matrix.
// Only the rules the user may grant in the role's organization can be ticked or unticked
// (grantable.js); the server checks the same and says which rule it refuses.

import * as api from "../api.js";
import { h, replace } from "../dom.js";
import { field, outcome, valueOf, whileBusy } from "../forms.js";
import { grantableRuleIds } from "../grantable.js";
import * as notice from "../notice.js";
import { myPermissions } from "../permissions.js";
import * as router from "../router.js";
import { rulesMatrix } from "../rules-matrix.js";
import { fill, quiet } from "../states.js";
import { visibleOrganizations } from "../visible-organizations.js";

const CATALOGUE = "/rule?no_pagination=1";

export const newRole = {
  title: "New role",
  public: false,
  async render({ main, signal }) {
    const content = h("div", { class: "card" });
    replace(main, up(), h("h1", {}, "New role"), content);
    const loaded = await fill(
      content,
      "your permissions",
      () =>
        Promise.all([
          myPermissions(),
          api.list(CATALOGUE, { signal }),
          visibleOrganizations(signal),
        ]),
      () => [],
    );
    if (!loaded) return;
    const [permissions, catalogue, organizations] = loaded;
    const choices = organizations.filter((organization) =>
      permissions.may("create", "role", { organization: Number(organization.id) }),
    );
    const own = permissions.organizationId;
    if (choices.length === 0 && !permissions.may("create", "role", { organization: own })) {
      replace(content, refused("Your rules do not allow creating roles."));
      return;
    }
    const firstChoice = choices.some((o) => Number(o.id) === own) ? own : choices[0]?.id ?? own;
    replace(
      content,
      form({
        permissions,
        catalogue: catalogue.items,
        organizations: choices,
        organizationId: Number(firstChoice),
        submitLabel: "Create role",
        save: (body) => api.request("POST", "/role", { body }),
      }),
    );
    content.querySelector("input").focus();
  },
};

export const editRole = {
  title: "Edit role",
  public: false,
  async render({ main, args, signal }) {
    const path = `/role/${encodeURIComponent(args.id)}`;
    const heading = h("h1", {}, "Edit role");
    const content = h("div", { class: "card" });
    replace(main, up(), heading, content);
    const loaded = await fill(
      content,
      "the role",
      () =>
        Promise.all([
          api.get(path, { signal }),
          myPermissions(),
          api.list(CATALOGUE, { signal }),
          api.list(`${CATALOGUE}&role_id=${encodeURIComponent(args.id)}`, { signal }),
        ]),
      () => [],
    );
    if (!loaded) return;
    const [role, permissions, catalogue, held] = loaded;
    heading.textContent = `Edit ${role.name}`;
    const organizationId = role.organization ? Number(role.organization.id) : null;
    if (role.is_default_role) {
      replace(content, refused("This is a default role: it cannot be changed."));
      return;
    }
    if (!permissions.may("edit", "role", { organization: organizationId })) {
      replace(content, refused("Your rules do not allow editing this role."));
      return;
    }
    replace(
      content,
      form({
        permissions,
        catalogue: catalogue.items,
        values: role,
        ticked: new Set(held.items.map((rule) => rule.id)),
        organizationId,
        submitLabel: "Save changes",
        save: (body) => api.request("PATCH", path, { body }),
      }),
    );
    content.querySelector("input").focus();
  },
};

function refused(text) {
  return h("p", { class: "empty" }, text);
}

function up() {
  return h("p", { class: "up" }, h("a", { href: "#/roles" }, "All roles"));
}

/**
 * The form. organizations: those to choose from when creating (a choice is offered when there
 * are two or more); organizationId: the role's. save(body) sends it, and the saved role's
 * page follows.
 */
function form({
  permissions,
  catalogue,
  organizations = [],
  organizationId,
  values = {},
  ticked = new Set(),
  submitLabel,
  save,
}) {
  const name = field("role-name", "Name", {
    value: values.name ?? "",
    required: true,
    maxlength: 128,
  });
  const description = field("role-description", "Description", {
    tag: "textarea",
    rows: 3,
    children: [values.description ?? ""],
  });
  const organization =
    organizations.length > 1
      ? field("role-organization", "Organization", {
          tag: "select",
          children: organizations.map((o) =>
            h("option", { value: o.id, selected: Number(o.id) === organizationId }, o.name),
          ),
        })
      : null;
  const onlyOrganization =
    organizations.length === 1 ? h("p", {}, `For organization ${organizations[0].name}.`) : null;
  const rules = h("div");
  const showRules = (forOrganization, tick) => {
    const editable = grantableRuleIds(permissions, catalogue, forOrganization);
    replace(rules, rulesMatrix({ rules: catalogue, ticked: tick, editable, caption: "Rules" }));
  };
  showRules(organizationId, ticked);
  // What may be granted depends on the organization: keep the ticks that still may be.
  organization?.querySelector("select").addEventListener("change", (event) => {
    const chosen = Number(event.target.value);
    const editable = grantableRuleIds(permissions, catalogue, chosen);
    showRules(chosen, new Set(rules.firstChild.selected().filter((id) => editable.has(id))));
  });

  const message = outcome();
  const button = h("button", { type: "submit" }, submitLabel);
  const element = h(
    "form",
    { class: "role-form" },
    name,
    description,
    organization,
    onlyOrganization,
    h("p", {}, "Only the rules you may grant in this organization can be ticked or unticked."),
    rules,
    message,
    h("div", { class: "actions" }, button),
  );
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.say("");
    const body = { name: valueOf(name).trim(), rules: rules.firstChild.selected() };
    // An emptied description clears the one saved; a new role without one needs none.
    const text = valueOf(description).trim();
    if (text || values.id) body.description = text || null;
    if (organization) body.organization_id = Number(valueOf(organization));
    else if (!values.id) body.organization_id = organizationId;
    let sent;
    try {
      sent = await whileBusy(element, button, "Saving…", () => save(body));
    } catch (error) {
      if (!quiet(error)) message.say(error.message, "error");
      return;
    }
    const saved = sent.answer;
    notice.leave(`Role “${saved.name}” was saved.`);
    router.navigate(`#/roles/${Number(saved.id)}`);
  });
  return element;
}
