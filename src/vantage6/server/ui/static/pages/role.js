// One role: what it is and its rules as a read-only matrix, with editing and deleting for
// users whose rules allow that. Default roles are fixed on the server, so they are labelled
// read-only and offer neither.

import * as api from "../api.js";
import { deleteButton } from "../deletion.js";
import { details, h, replace } from "../dom.js";
import * as notice from "../notice.js";
import { myPermissions } from "../permissions.js";
import * as router from "../router.js";
import { rulesMatrix } from "../rules-matrix.js";
import { fill } from "../states.js";

export default {
  title: "Role",
  public: false,
  async render({ main, args, signal }) {
    const path = `/role/${encodeURIComponent(args.id)}`;
    const heading = h("h1", {}, "Role");
    // Busy until the permissions are known, so that "nothing offered" is an answer.
    const actions = h("div", { class: "page-actions", "aria-busy": "true" });
    const about = h("div", { class: "card about" });
    const rules = h("div");
    replace(
      main,
      h("p", { class: "up" }, h("a", { href: "#/roles" }, "All roles")),
      h("div", { class: "page-head" }, heading, actions),
      about,
      rules,
    );
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
      actions.removeAttribute("aria-busy");
      return;
    }
    heading.textContent = role.name;
    document.title = `${role.name} · vantage6`;
    offerChanges(actions, role, path);
    const id = Number(role.id);
    fill(
      rules,
      "the rules",
      () =>
        Promise.all([
          api.list("/rule?no_pagination=1", { signal }),
          api.list(`/rule?no_pagination=1&role_id=${id}`, { signal }),
        ]),
      ([catalogue, held]) =>
        rulesMatrix({
          rules: catalogue.items,
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
    actions.removeAttribute("aria-busy");
    return;
  }
  myPermissions().then(
    (permissions) => {
      const id = Number(role.id);
      const owner = { organization: role.organization ? Number(role.organization.id) : null };
      const edit = permissions.may("edit", "role", owner)
        ? h("a", { class: "button", href: `#/roles/${id}/edit` }, "Edit")
        : null;
      const remove = permissions.may("delete", "role", owner)
        ? deleteButton({
            what: `role “${role.name}”`,
            path,
            onDeleted: (answer) => {
              notice.leave(answer?.msg ?? `Role ${id} was deleted`);
              router.navigate("#/roles");
            },
          })
        : null;
      replace(actions, edit, remove);
    },
    () => {}, // offer nothing; the server would say why
  ).finally(() => actions.removeAttribute("aria-busy"));
}
