// Creating a role (#/roles/new) and editing one (#/roles/<id>/edit): name, description, the
// organization (when creating, if the user may choose) and the rules, ticked in the matrix.
// Only the rules the user may grant in the role's organization can be ticked or unticked
// (grantable.js); the server checks the same and says which rule it refuses.

import * as api from "../core/api.js";
import { h, replace } from "../core/dom.js";
import { formPage, showSaved } from "../parts/form-page.js";
import { field, sendingForm, valueOf } from "../parts/forms.js";
import { grantableRuleIds } from "../access/grantable.js";
import { myPermissions, ruleCatalogue } from "../access/permissions.js";
import { rulesMatrix } from "../parts/rules-matrix.js";
import { visibleOrganizations } from "../access/visible-organizations.js";

const HELD = "/rule?no_pagination=1"; // with &role_id=: a role's rules

export const newRole = {
  title: "New role",
  public: false,
  render({ main, signal }) {
    formPage(main, {
      list: "roles",
      heading: "New role",
      card: "card",
      what: "your permissions",
      load: async () => {
        const [permissions, catalogue, organizations] = await Promise.all([
          myPermissions(),
          ruleCatalogue(),
          visibleOrganizations(signal),
        ]);
        const choices = organizations.filter((organization) =>
          permissions.may("create", "role", { organization: Number(organization.id) }),
        );
        return [permissions, catalogue, choices];
      },
      refusal: ([permissions, , choices]) =>
        choices.length === 0 &&
        !permissions.may("create", "role", { organization: permissions.organizationId })
          ? "Your rules do not allow creating roles."
          : null,
      form([permissions, catalogue, choices]) {
        const own = permissions.organizationId;
        const firstChoice = choices.some((o) => Number(o.id) === own)
          ? own
          : choices[0]?.id ?? own;
        return form({
          permissions,
          catalogue,
          organizations: choices,
          organizationId: Number(firstChoice),
          submitLabel: "Create role",
          save: (body) => api.request("POST", "/role", { body }),
        });
      },
    });
  },
};

export const editRole = {
  title: "Edit role",
  public: false,
  render({ main, args, signal }) {
    const path = `/role/${encodeURIComponent(args.id)}`;
    formPage(main, {
      list: "roles",
      heading: "Edit role",
      card: "card",
      what: "the role",
      load: () =>
        Promise.all([
          api.get(path, { signal }),
          myPermissions(),
          ruleCatalogue(),
          api.list(`${HELD}&role_id=${encodeURIComponent(args.id)}`, { signal }),
        ]),
      title: ([role]) => `Edit ${role.name}`,
      refusal([role, permissions]) {
        if (role.is_default_role) return "This is a default role: it cannot be changed.";
        return permissions.may("edit", "role", { organization: organizationOf(role) })
          ? null
          : "Your rules do not allow editing this role.";
      },
      form: ([role, permissions, catalogue, held]) =>
        form({
          permissions,
          catalogue,
          values: role,
          ticked: new Set(held.items.map((rule) => rule.id)),
          organizationId: organizationOf(role),
          submitLabel: "Save changes",
          save: (body) => api.request("PATCH", path, { body }),
        }),
    });
  },
};

function organizationOf(role) {
  return role.organization ? Number(role.organization.id) : null;
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

  return sendingForm({
    attributes: { class: "role-form" },
    children: [
      name,
      description,
      organization,
      onlyOrganization,
      h("p", {}, "Only the rules you may grant in this organization can be ticked or unticked."),
      rules,
    ],
    submit: submitLabel,
    working: "Saving…",
    async send() {
      const body = { name: valueOf(name).trim(), rules: rules.firstChild.selected() };
      // An emptied description clears the one saved; a new role without one needs none.
      const text = valueOf(description).trim();
      if (text || values.id) body.description = text || null;
      if (organization) body.organization_id = Number(valueOf(organization));
      else if (!values.id) body.organization_id = organizationId;
      const saved = (await save(body)).answer;
      showSaved("roles", saved, `Role “${saved.name}” was saved.`);
    },
  }).form;
}
