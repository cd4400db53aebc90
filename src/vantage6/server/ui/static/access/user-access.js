// What the signed-in user may do to another user, for the user pages to offer only that. The
// server asks two things (api/endpoints/user.py): a user rule whose scope reaches the user, and, unless
// it is oneself, that the caller could grant the user every rule they hold
// (require_outranks in api/grants.py), so that nobody changes someone more privileged.

import { grantableRuleIds } from "./grantable.js";

/** Whether operation ("edit", "delete") on `user` (from GET /user/<id>?include_permissions=
 * true) is allowed to the holder of `permissions`. */
export function mayChange(operation, permissions, catalogue, user) {
  const organization = Number(user.organization.id);
  if (!permissions.may(operation, "user", { organization, owner: Number(user.id) })) {
    return false;
  }
  if (Number(user.id) === permissions.userId) return true;
  const grantable = grantableRuleIds(permissions, catalogue, organization);
  return user.permissions.rules.every((id) => grantable.has(id));
}
