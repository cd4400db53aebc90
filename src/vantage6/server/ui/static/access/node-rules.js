// Who may obtain a node's API key, by registering the node (rule node "create") or resetting
// its key (rule node "edit"), as the server's credential_aces (resources/node.py) decides: a
// node's key speaks for its organization, so below global scope only for a node of the
// user's own organization.

/** Whether `permissions` allow operation ("create" or "edit") on the API key of a node of
 * organization `organization` (an id). */
export function mayHoldKey(permissions, operation, organization) {
  const own = Number(organization) === permissions.organizationId;
  // With no organization named, may() counts global rules only.
  return own
    ? permissions.may(operation, "node", { organization })
    : permissions.may(operation, "node");
}
