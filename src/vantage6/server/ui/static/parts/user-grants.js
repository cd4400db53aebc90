// Choosing a user's roles and extra rules. The server lets the signed-in user give or take
// away only rules they may grant in the user's organization, also through a role
// (require_grantable in api/grants.py), so only roles made of such rules are offered and only
// such rules can be ticked. Roles the user holds that could not be granted stay, shown but
// fixed.

import * as api from "../core/api.js";
import { h } from "../core/dom.js";
import { grantableRuleIds } from "../access/grantable.js";
import { rulesMatrix } from "./rules-matrix.js";
import { empty, fill } from "../core/states.js";

const MANY = 500; // the server's largest page

/**
 * The roles and the extra rules for a user of organization `organizationId`, who holds
 * `heldRoleIds` and the extra rules `extraRuleIds` (a Set). The element's chosen() resolves
 * to {roles, rules}: the ids ticked, once the roles have loaded.
 */
export function grantsChooser({
  permissions,
  catalogue,
  organizationId,
  heldRoleIds = [],
  extraRuleIds = new Set(),
  signal,
}) {
  const grantable = grantableRuleIds(permissions, catalogue, organizationId);
  const roles = h("div");
  const listed = new Set(); // roles with a checkbox; others held are kept as they are
  const loaded = fill(
    roles,
    "the roles",
    () => offeredRoles(organizationId, grantable, heldRoleIds, signal),
    (offered) => {
      offered.forEach(({ role }) => listed.add(Number(role.id)));
      return offered.length === 0
        ? empty("There is no role you may give to users of this organization.")
        : offered.map(({ role, fixed }) => roleChoice(role, heldRoleIds, fixed));
    },
  );
  const matrix = rulesMatrix({
    rules: catalogue,
    ticked: extraRuleIds,
    editable: grantable,
    caption: "Extra rules, besides those of the roles",
  });
  const element = h(
    "div",
    { class: "grants" },
    h("fieldset", { class: "choices" }, h("legend", {}, "Roles"), roles),
    matrix,
  );
  element.chosen = async () => {
    await loaded;
    const ticked = [...roles.querySelectorAll("input:checked")].map((box) => Number(box.value));
    const kept = heldRoleIds.filter((id) => !listed.has(id));
    return { roles: [...kept, ...ticked], rules: matrix.selected() };
  };
  return element;
}

/** The roles a user of the organization may get (its own and the default ones) that are
 * made of grantable rules, and those held already: [{role, fixed}]. */
async function offeredRoles(organizationId, grantable, heldRoleIds, signal) {
  const query = new URLSearchParams({
    organization_id: organizationId,
    include_root: "true",
    sort: "name",
    per_page: MANY,
  });
  const { items } = await api.list(`/role?${query}`, { signal });
  const contents = await Promise.all(items.map((role) => roleRuleIds(role.id, signal)));
  return items
    .map((role, i) => ({ role, fixed: !contents[i].every((id) => grantable.has(id)) }))
    .filter(({ role, fixed }) => !fixed || heldRoleIds.includes(Number(role.id)));
}

/** The ids of the rules of role `roleId`. */
export async function roleRuleIds(roleId, signal) {
  const { items } = await api.list(`/rule?role_id=${Number(roleId)}&no_pagination=1`, { signal });
  return items.map((rule) => rule.id);
}

function roleChoice(role, heldRoleIds, fixed) {
  const id = `role-${Number(role.id)}`;
  return h(
    "div",
    { class: "choice" },
    h("input", {
      type: "checkbox",
      id,
      value: role.id,
      checked: heldRoleIds.includes(Number(role.id)),
      disabled: fixed,
      "aria-describedby": role.description ? `${id}-description` : null,
    }),
    h("label", { for: id }, role.name),
    role.description
      ? h("span", { id: `${id}-description`, class: "hint" }, role.description)
      : null,
  );
}
