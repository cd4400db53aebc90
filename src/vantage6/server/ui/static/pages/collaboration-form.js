// Creating a collaboration (#/collaborations/new), with its organizations, and editing one
// (#/collaborations/<id>/edit). Members are added and removed afterwards on the
// collaboration's own page, one at a time, where the server can say what stands in the way.

import * as api from "../api.js";
import { h, replace } from "../dom.js";
import { field, outcome, valueOf, whileBusy } from "../forms.js";
import * as notice from "../notice.js";
import { chosenIds, organizationCheckboxes } from "../organization-picker.js";
import { myPermissions } from "../permissions.js";
import * as router from "../router.js";
import { empty, fill, quiet } from "../states.js";
import { visibleOrganizations } from "../visible-organizations.js";
import { reachOf } from "./collaboration.js";

const ENCRYPTION_HINT =
  "Input and results travel encrypted between the organizations; every node of the " +
  "collaboration must be configured to match.";
const ENCRYPTION_GLOBAL_ONLY =
  "Only holders of the global collaboration edit rule can switch encryption on or off.";

export const newCollaboration = {
  title: "New collaboration",
  public: false,
  async render({ main, signal }) {
    const content = h("div", { class: "card form-card" });
    replace(main, up(), h("h1", {}, "New collaboration"), content);
    const permissions = await fill(content, "your permissions", myPermissions, () => []);
    if (!permissions) return;
    if (!permissions.may("create", "collaboration")) {
      replace(content, empty("Your rules do not allow creating collaborations."));
      return;
    }
    const organizations = await fill(
      content,
      "the organizations",
      () => visibleOrganizations(signal),
      () => [],
    );
    if (!organizations) return;
    const members = organizationCheckboxes("Organizations", organizations);
    replace(
      content,
      form({
        values: { encrypted: true },
        members,
        submitLabel: "Create collaboration",
        save: (body) =>
          api.request("POST", "/collaboration", {
            body: { ...body, organization_ids: chosenIds(members) },
          }),
      }),
    );
    content.querySelector("input").focus();
  },
};

export const editCollaboration = {
  title: "Edit collaboration",
  public: false,
  async render({ main, args, signal }) {
    const path = `/collaboration/${encodeURIComponent(args.id)}`;
    const heading = h("h1", {}, "Edit collaboration");
    const content = h("div", { class: "card form-card" });
    replace(main, up(), heading, content);
    const loaded = await fill(
      content,
      "the collaboration",
      () => Promise.all([api.get(`${path}?include=organizations`, { signal }), myPermissions()]),
      () => [],
    );
    if (!loaded) return;
    const [collaboration, permissions] = loaded;
    heading.textContent = `Edit ${collaboration.name}`;
    if (!permissions.may("edit", "collaboration", reachOf(permissions, collaboration))) {
      replace(content, empty("Your rules do not allow editing this collaboration."));
      return;
    }
    // As on the server: switching encryption needs the global rule.
    const mayEncrypt = permissions.may("edit", "collaboration");
    replace(
      content,
      form({
        values: collaboration,
        mayEncrypt,
        submitLabel: "Save changes",
        save: ({ name, encrypted }) =>
          api.request("PATCH", path, { body: mayEncrypt ? { name, encrypted } : { name } }),
      }),
    );
    content.querySelector("input").focus();
  },
};

function up() {
  return h("p", { class: "up" }, h("a", { href: "#/collaborations" }, "All collaborations"));
}

/** The form: name, encrypted and (when creating) `members`; save({name, encrypted}) sends
 * it, and the saved collaboration's page follows. */
function form({ values, members = null, mayEncrypt = true, submitLabel, save }) {
  const name = field("collaboration-name", "Name", {
    value: values.name ?? "",
    required: true,
    maxlength: 128,
  });
  const encrypted = encryptedField(values.encrypted, mayEncrypt);
  const message = outcome();
  const button = h("button", { type: "submit" }, submitLabel);
  const element = h(
    "form",
    { class: "collaboration-form" },
    name,
    encrypted,
    members,
    message,
    h("div", { class: "actions" }, button),
  );
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.say("");
    const body = {
      name: valueOf(name).trim(),
      encrypted: encrypted.querySelector("input").checked,
    };
    let sent;
    try {
      sent = await whileBusy(element, button, "Saving…", () => save(body));
    } catch (error) {
      if (!quiet(error)) message.say(error.message, "error");
      return;
    }
    const saved = sent.answer;
    notice.leave(`Collaboration “${saved.name}” was saved.`);
    router.navigate(`#/collaborations/${Number(saved.id)}`);
  });
  return element;
}

function encryptedField(checked, mayEncrypt) {
  const id = "collaboration-encrypted";
  return h(
    "div",
    { class: "field" },
    h(
      "div",
      { class: "check" },
      h("input", {
        type: "checkbox",
        id,
        checked: Boolean(checked),
        disabled: !mayEncrypt,
        "aria-describedby": `${id}-hint`,
      }),
      h("label", { for: id }, "Encrypted"),
    ),
    h(
      "p",
      { class: "hint", id: `${id}-hint` },
      mayEncrypt ? ENCRYPTION_HINT : ENCRYPTION_GLOBAL_ONLY,
    ),
  );
}
