// Creating a user (#/users/new) and editing one (#/users/<id>/edit). A password is set only
// when the user is made; afterwards only its owner changes it (PATCH /password/change).

import * as api from "../core/api.js";
import { h, replace } from "../core/dom.js";
import { formPage, showSaved } from "../parts/form-page.js";
import { field, sendingForm, valueOf } from "../parts/forms.js";
import { currentUser, forgetCurrentUser } from "../core/me.js";
import { myPermissions, ruleCatalogue } from "../access/permissions.js";
import { quiet } from "../core/states.js";
import { mayChange } from "../access/user-access.js";
import { grantsChooser, roleRuleIds } from "../parts/user-grants.js";

// The server's password rules (PASSWORD_RULES in security/login.py), shown before it checks.
const MIN_PASSWORD_LENGTH = 8;
const PASSWORD_RULES =
  `The password must be at least ${MIN_PASSWORD_LENGTH} characters long and contain an ` +
  "uppercase letter, a lowercase letter, a digit and a special character (such as ! or %)";
const PROFILE = [
  ["username", "Username", { required: true, maxlength: 128, autocomplete: "off" }],
  ["email", "Email", { type: "email", required: true, maxlength: 256, autocomplete: "off" }],
  ["firstname", "First name", { autocomplete: "off" }],
  ["lastname", "Last name", { autocomplete: "off" }],
];
const MANY = 500; // the server's largest page

export const newUser = {
  title: "New user",
  public: false,
  render({ main, signal }) {
    formPage(main, {
      list: "users",
      heading: "New user",
      card: "card user-form-card",
      what: "the form",
      load: async () => {
        const [permissions, catalogue] = await Promise.all([
          myPermissions(),
          ruleCatalogue(),
        ]);
        return [permissions, catalogue, await organizationsToCreateIn(permissions, signal)];
      },
      refusal: ([, , organizations]) =>
        organizations.length === 0 ? "Your rules do not allow creating users." : null,
      form: ([permissions, catalogue, organizations]) =>
        newUserForm({ permissions, catalogue, organizations, signal }),
    });
  },
};

export const editUser = {
  title: "Edit user",
  public: false,
  render({ main, args, signal }) {
    const path = `/user/${encodeURIComponent(args.id)}`;
    formPage(main, {
      list: "users",
      heading: "Edit user",
      card: "card user-form-card",
      what: "the user",
      load: async () => {
        const user = await api.get(`${path}?include_permissions=true`, { signal });
        const [permissions, catalogue, extraRuleIds] = await Promise.all([
          myPermissions(),
          ruleCatalogue(),
          extraRulesOf(user, signal),
        ]);
        return [user, permissions, catalogue, extraRuleIds];
      },
      title: ([user]) => `Edit ${user.username}`,
      refusal: ([user, permissions, catalogue]) =>
        mayChange("edit", permissions, catalogue, user)
          ? null
          : "Your rules do not allow editing this user.",
      form: ([user, permissions, catalogue, extraRuleIds]) =>
        editUserForm({ path, user, permissions, catalogue, extraRuleIds, signal }),
      focus: "input:not([readonly])",
    });
  },
};

/** The form that creates a user in one of `organizations`, with a password. */
function newUserForm({ permissions, catalogue, organizations, signal }) {
  const password = field("user-password", "Password", {
    type: "password",
    required: true,
    minlength: MIN_PASSWORD_LENGTH,
    autocomplete: "new-password",
    "aria-describedby": "user-password-rules",
  });
  password.append(h("p", { id: "user-password-rules", class: "hint" }, PASSWORD_RULES));
  const placed = organizationChoice(organizations, permissions.organizationId);
  const grantsFor = (organizationId) =>
    grantsChooser({ permissions, catalogue, organizationId, signal });
  let grants = grantsFor(placed.id());
  const grantsArea = h("div", {}, grants);
  placed.onChange((organizationId) => {
    grants = grantsFor(organizationId);
    replace(grantsArea, grants);
  });
  return userForm({
    submitLabel: "Create user",
    extra: [password, placed.element, grantsArea],
    async send(profile) {
      const body = { ...withoutEmpty(profile), password: valueOf(password) };
      body.organization_id = placed.id();
      Object.assign(body, await grants.chosen());
      return api.request("POST", "/user", { body });
    },
  });
}

/** The form that edits `user`: their profile, and the roles and rules of others. */
function editUserForm({ path, user, permissions, catalogue, extraRuleIds, signal }) {
  const own = Number(user.id) === permissions.userId;
  const heldRoleIds = user.permissions.roles;
  // Nobody changes their own roles or rules; the server refuses it.
  const grants = own
    ? null
    : grantsChooser({
        permissions,
        catalogue,
        organizationId: user.organization.id,
        heldRoleIds,
        extraRuleIds,
        signal,
      });
  return userForm({
    values: user,
    fixedUsername: !own, // only users themselves change their username
    submitLabel: "Save changes",
    extra: [own ? h("p", {}, "You cannot change your own roles or rules.") : grants],
    async send(profile) {
      const body = changedFields(profile, user);
      if (grants) {
        const chosen = await grants.chosen();
        if (!sameIds(chosen.roles, heldRoleIds)) body.roles = chosen.roles;
        if (!sameIds(chosen.rules, extraRuleIds)) body.rules = chosen.rules;
      }
      const saved = await api.request("PATCH", path, { body });
      if (own) forgetCurrentUser(); // the header greets by the new name
      return saved;
    },
  });
}

/** The organizations the signed-in user may create users in: [{id, name}]. Those who may
 * not list organizations can still create users in their own. */
async function organizationsToCreateIn(permissions, signal) {
  const mayCreateIn = (organization) =>
    permissions.may("create", "user", { organization: Number(organization.id) });
  try {
    const { items } = await api.list(`/organization?sort=name&per_page=${MANY}`, { signal });
    return items.filter(mayCreateIn);
  } catch (error) {
    if (quiet(error)) throw error;
    const { organization } = await currentUser();
    return [{ id: organization.id, name: "Your organization" }].filter(mayCreateIn);
  }
}

/** The organization of a new user: a choice when there is more than one, else named. */
function organizationChoice(organizations, ownId) {
  if (organizations.length === 1) {
    const [only] = organizations;
    return {
      id: () => Number(only.id),
      element: h("p", {}, "Organization: ", h("strong", {}, only.name)),
      onChange: () => {},
    };
  }
  const ownListed = organizations.some((o) => Number(o.id) === ownId);
  const preferred = ownListed ? ownId : Number(organizations[0].id);
  const choice = field("user-organization", "Organization", {
    tag: "select",
    children: organizations.map((o) =>
      h("option", { value: o.id, selected: Number(o.id) === preferred }, o.name),
    ),
  });
  return {
    id: () => Number(valueOf(choice)),
    element: choice,
    onChange: (then) => choice.addEventListener("change", () => then(Number(valueOf(choice)))),
  };
}

/** The rules a user holds besides those of their roles. (The API names only all the rules
 * a user holds; an extra rule that one of their roles has too shows as the role's.) */
async function extraRulesOf(user, signal) {
  const ofRoles = await Promise.all(user.permissions.roles.map((id) => roleRuleIds(id, signal)));
  const fromRoles = new Set(ofRoles.flat());
  return new Set(user.permissions.rules.filter((id) => !fromRoles.has(id)));
}

/** The form: the profile fields, then `extra`; send(profile) sends it, and the saved user's
 * page follows. */
function userForm({ values = {}, fixedUsername = false, submitLabel, extra, send }) {
  const fields = PROFILE.map(([id, label, attributes]) =>
    field(`user-${id}`, label, {
      value: values[id] ?? "",
      ...attributes,
      readonly: id === "username" && fixedUsername,
    }),
  );
  return sendingForm({
    attributes: { class: "user-form" },
    children: [fields, extra],
    submit: submitLabel,
    working: "Saving…",
    async send() {
      const profile = Object.fromEntries(
        PROFILE.map(([id], i) => [id, valueOf(fields[i]).trim() || null]),
      );
      const sent = await send(profile);
      const saved = sent.answer;
      // 202: saved, but another user's new email address waits for their confirmation.
      const pending = sent.response.status === 202;
      showSaved("users", saved, pending ? saved.msg : `User “${saved.username}” was saved.`);
    },
  }).form;
}

/** For creating: fields left empty are left out. */
function withoutEmpty(body) {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null));
}

/** For editing: only what changed, so that nothing else is touched. */
function changedFields(profile, user) {
  return Object.fromEntries(
    Object.entries(profile).filter(([name, value]) => value !== (user[name] ?? null)),
  );
}

function sameIds(some, others) {
  const mine = new Set(some);
  const theirs = new Set(others);
  return mine.size === theirs.size && [...mine].every((id) => theirs.has(id));
}
