// One role: what it is and its rules as a read-only matrix, with editing and deleting for
// users whose rules allow that. Default roles are fixed on the server, so they are labelled
// read-only and offer neither.

import * as api from "../core/api.js";
import { ruleCatalogue } from "../access/permissions.js";
import { details, h, replace } from "../core/dom.js";
import { offer, settle } from "../parts/offers.js";
import { deleteOffer, named, recordPage } from "../parts/record-page.js";
import { rulesMatrix } from "../parts/rules-matrix.js";
import { fill } from "../core/states.js";

export default {
  title: "Role",
  public: false,
  async render({ main, args, signal }) {
    const path = `/role/${encodeURIComponent(args.id)}`;
    const about = h("div", { class: "card about" });
    const rules = h("div");
    const { heading, actions } = recordPage(main, { list: "roles", title: "Role" }, about, rules);
    const role = await fill(
      about,
      "the role",
      async () => {
        const found = await api.get(path, { signal });
        return { ...found, organizationName: await organizationName(found, signal) };
      },
      describe,
    );
    if (!role) {
      settle(actions);
      return;
    }
    named(heading, role.name);
    offerChanges(actions, role, path);
    const id = Number(role.id);
    fill(
      rules,
      "the rules",
      () =>
        Promise.all([
          ruleCatalogue(),
          api.list(`/rule?no_pagination=1&role_id=${id}`, { signal }),
        ]),
      ([catalogue, held]) =>
        rulesMatrix({
          rules: catalogue,
          ticked: new Set(held.items.map((rule) => rule.id)),
          caption: `Rules of ${role.name}`,
        }),
    );
  },
};

/** The name of the role's organization; its id alone when the user may not see it. */
async function organizationName(role, signal) {
  if (!role.organization) return null;
  const id = Number(role.organization.id);
  try {
    return (await api.get(`/organization/${id}`, { signal })).name;
  } catch (error) {
    if (error instanceof api.ApiError) return `Organization ${id}`;
    throw error;
  }
}

function describe(role) {
  const organization = role.organization
    ? h("a", { href: `#/organizations/${Number(role.organization.id)}` }, role.organizationName)
    : "none: a default role, there for every organization";
  return details([
    ["Name", role.name],
    ["Description", role.description],
    ["Organization", organization],
    ["Id", String(role.id)],
  ]);
}

/** Edit and Delete, for users whose rules allow them; for default roles, where they would
 * be, that they are read-only. */
function offerChanges(actions, role, path) {
  if (role.is_default_role) {
    replace(actions, h("span", { class: "tag" }, "Default role · read-only"));
    settle(actions);
    return;
  }
  const id = Number(role.id);
  const owner = { organization: role.organization ? Number(role.organization.id) : null };
  offer(actions, (permissions) => [
    permissions.may("edit", "role", owner)
      ? h("a", { class: "button", href: `#/roles/${id}/edit` }, "Edit")
      : null,
    permissions.may("delete", "role", owner)
      ? deleteOffer({ kind: "role", id, name: role.name, path })
      : null,
  ]);
}
