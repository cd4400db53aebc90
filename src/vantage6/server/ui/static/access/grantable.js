// Which rules the signed-in user may give to, or take from, a role or user of an
// organization, so that forms offer only those. It mirrors the server's check exactly:
// Identity.may_grant (security/identity.py), applied by require_grantable (api/grants.py).
// A rule may be granted when the user holds the same rule at global scope; and, within the
// user's own organization only, when they hold it at the same or a wider scope (what a
// narrower scope reaches depends on the holder's organization).

const REACH = { own: 0, organization: 1, collaboration: 2, global: 3 }; // SCOPE_REACH

/** The ids of the rules of `catalogue` (GET /rule items) that the holder of `permissions`
 * (permissions.js) may grant in organization `organizationId`. */
export function grantableRuleIds(permissions, catalogue, organizationId) {
  const own = Number(organizationId) === permissions.organizationId;
  const grantable = catalogue.filter((rule) => {
    const held = permissions.scopes(rule.operation.toLowerCase(), rule.name);
    if (held.includes("global")) return true;
    const reach = REACH[rule.scope.toLowerCase()];
    return own && held.some((scope) => REACH[scope] >= reach);
  });
  return new Set(grantable.map((rule) => rule.id));
}
