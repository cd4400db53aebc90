// What the signed-in user may do, from their rules (GET /user/<id>?include_permissions=true
// names the ids, GET /rule?no_pagination=1 what each id means), so that pages offer only what
// the server would allow. The server stays the authority: what it refuses anyway is shown
// with its message.
//
// The scopes mirror the server's scoped_aces (resources/base.py): a rule reaches an object
// at global scope always; at collaboration scope when the object's organization shares a
// collaboration with the user's; at organization scope when it is of the user's
// organization; at own scope when the user owns it. A scope reaches nothing that the object
// does not name: with no organization given (creating or deleting an organization), only
// global rules count, as on the server.

import * as api from "../core/api.js";
import { currentUser } from "../core/me.js";
import * as session from "../core/session.js";

let cached = null; // {userId, promise}
let catalogue = null; // the promise of every rule there is

/** The signed-in user's Permissions, loaded once per session. */
export function myPermissions() {
  const userId = session.userId();
  if (cached?.userId !== userId) {
    const promise = load();
    promise.catch(() => {
      if (cached?.promise === promise) cached = null; // ask again next time
    });
    cached = { userId, promise };
  }
  return cached.promise;
}

export class Permissions {
  /** rules: [{resource, operation, scope}] in lower case ("organization", "edit", "global"). */
  constructor({ rules, userId, organizationId, organizationsInCollaborations }) {
    this.rules = rules;
    this.userId = userId;
    this.organizationId = organizationId;
    this.partners = new Set(organizationsInCollaborations);
  }

  /** Whether rule (resource, operation) is held at some scope: enough to ask for a list,
   * which the server limits to what the scope reaches. */
  holds(operation, resource) {
    return this.scopes(operation, resource).length > 0;
  }

  /** Whether the user may do operation on resource for an object of organization
   * `organization` (an id) owned by user `owner` (an id); see the scopes above. */
  may(operation, resource, { organization = null, owner = null } = {}) {
    return this.scopes(operation, resource).some((scope) => {
      switch (scope) {
        case "global":
          return true;
        case "collaboration":
          return organization !== null && this.partners.has(Number(organization));
        case "organization":
          return organization !== null && Number(organization) === this.organizationId;
        case "own":
          return owner !== null && Number(owner) === this.userId;
        default:
          return false;
      }
    });
  }

  scopes(operation, resource) {
    return this.rules
      .filter((rule) => rule.resource === resource && rule.operation === operation)
      .map((rule) => rule.scope);
  }
}

/** Every rule there is (GET /rule), as the rules matrix and grantableRuleIds take them: the
 * server's rules are fixed, so they are fetched once per session for every page. */
export function ruleCatalogue() {
  if (catalogue === null) {
    const promise = api.list("/rule?no_pagination=1").then(({ items }) => items);
    promise.catch(() => {
      if (catalogue === promise) catalogue = null; // ask again next time
    });
    catalogue = promise;
  }
  return catalogue;
}

async function load() {
  const [user, every] = await Promise.all([currentUser(), ruleCatalogue()]);
  const held = new Set(user.permissions.rules);
  const rules = every
    .filter((rule) => held.has(rule.id))
    .map((rule) => ({
      resource: rule.name,
      operation: rule.operation.toLowerCase(),
      scope: rule.scope.toLowerCase(),
    }));
  return new Permissions({
    rules,
    userId: user.id,
    organizationId: user.organization.id,
    organizationsInCollaborations: user.permissions.orgs_in_collabs,
  });
}

session.onChange(() => {
  cached = null;
  catalogue = null;
});
