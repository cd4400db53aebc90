// One user: who they are, their organization and roles, and everything they may do (their
// effective rules, from their roles and their extra rules); editing, deleting and resetting
// their two-factor authentication for users whose rules allow that.

import * as api from "../core/api.js";
import { twoFactor } from "../core/config.js";
import { details, h, replace } from "../core/dom.js";
import { offer, settle } from "../parts/offers.js";
import { deleteOffer, named, recordPage } from "../parts/record-page.js";
import { rulesMatrix } from "../parts/rules-matrix.js";
import { empty, fill } from "../core/states.js";
import { twoFactorResetButton } from "../parts/two-factor-reset.js";
import { ruleCatalogue } from "../access/permissions.js";
import { mayChange } from "../access/user-access.js";

export default {
  title: "User",
  public: false,
  async render({ main, args, signal }) {
    const path = `/user/${encodeURIComponent(args.id)}`;
    const about = h("div", { class: "card about" });
    const roles = h("div");
    const rules = h("div");
    const { heading, actions } = recordPage(
      main,
      { list: "users", title: "User" },
      about,
      h(
        "div",
        { class: "user-panels" },
        panel("roles", "Roles", roles),
        panel("rules", "Effective permissions", rules),
      ),
    );
    const loaded = await fill(
      about,
      "the user",
      async () => {
        const user = await api.get(`${path}?include_permissions=true`, { signal });
        return [user, await organizationName(user.organization.id, signal)];
      },
      ([user, organization]) => describe(user, organization),
    );
    if (!loaded) {
      replace(roles);
      replace(rules);
      settle(actions);
      return;
    }
    const [user] = loaded;
    named(heading, user.username);
    const query = new URLSearchParams({ user_id: user.id, sort: "name", per_page: 500 });
    fill(roles, "the roles", () => api.list(`/role?${query}`, { signal }), roleList);
    const catalogue = await fill(
      rules,
      "the rules",
      () => ruleCatalogue(),
      (all) =>
        rulesMatrix({
          rules: all,
          ticked: new Set(user.permissions.rules),
          editable: new Set(),
          caption: `What ${user.username} may do, through roles and extra rules`,
        }),
    );
    offerChanges(actions, user, path, catalogue);
  },
};

/** The organization's name, or its id for users who may not see it. */
async function organizationName(id, signal) {
  try {
    return (await api.get(`/organization/${Number(id)}`, { signal })).name;
  } catch (error) {
    if (error.name === "AbortError") throw error;
    return `Organization ${Number(id)}`;
  }
}

function describe(user, organization) {
  return details([
    ["Username", user.username],
    ["First name", user.firstname],
    ["Last name", user.lastname],
    ["Email", user.email],
    [
      "Organization",
      h("a", { href: `#/organizations/${Number(user.organization.id)}` }, organization),
    ],
    ["Last seen", user.last_seen ? new Date(user.last_seen).toLocaleString() : "never"],
    ["Id", String(user.id)],
  ]);
}

function panel(id, title, content) {
  const headingId = `${id}-heading`;
  return h(
    "section",
    { class: `card ${id}`, "aria-labelledby": headingId },
    h("h2", { id: headingId }, title),
    content,
  );
}

function roleList({ items }) {
  if (items.length === 0) return empty("No roles: only extra rules, if any.");
  return h(
    "ul",
    { class: "short-list" },
    items.map((role) =>
      h(
        "li",
        {},
        h("a", { class: "item-name", href: `#/roles/${Number(role.id)}` }, role.name),
        role.description ? h("span", { class: "tag" }, role.description) : null,
      ),
    ),
  );
}

/** Edit, Delete and Reset two-factor, for users whose rules allow them (the server decides
 * in the end). Without the rule catalogue, nothing is offered: whether the signed-in user
 * outranks this one cannot be told. */
function offerChanges(actions, user, path, catalogue) {
  offer(actions, (permissions) => {
    if (!catalogue) return null;
    const may = (operation) => mayChange(operation, permissions, catalogue, user);
    const id = Number(user.id);
    const edit = may("edit")
      ? h("a", { class: "button", href: `#/users/${id}/edit` }, "Edit")
      : null;
    // The server refuses resetting one's own: that goes by email (/recover/2fa/lost).
    const offerReset = twoFactor && may("edit") && id !== permissions.userId;
    const reset = offerReset ? twoFactorResetButton(user) : null;
    const remove = may("delete")
      ? deleteOffer({ kind: "user", id, name: user.username, path })
      : null;
    return [edit, reset, remove];
  });
}
