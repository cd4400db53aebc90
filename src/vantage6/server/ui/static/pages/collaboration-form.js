// Creating a collaboration (#/collaborations/new), with its organizations, and editing one
// (#/collaborations/<id>/edit). Members are added and removed afterwards on the
// collaboration's own page, one at a time, where the server can say what stands in the way.

import * as api from "../core/api.js";
import { h } from "../core/dom.js";
import { formPage, showSaved } from "../parts/form-page.js";
import { field, sendingForm, valueOf } from "../parts/forms.js";
import { chosenIds, organizationCheckboxes } from "../parts/organization-picker.js";
import { myPermissions } from "../access/permissions.js";
import { fill } from "../core/states.js";
import { visibleOrganizations } from "../access/visible-organizations.js";
import { reachOf } from "./collaboration.js";

const ENCRYPTION_HINT =
  "Input and results travel encrypted between the organizations; every node of the " +
  "collaboration must be configured to match.";
const ENCRYPTION_GLOBAL_ONLY =
  "Only holders of the global collaboration edit rule can switch encryption on or off.";

export const newCollaboration = {
  title: "New collaboration",
  public: false,
  render({ main, signal }) {
    formPage(main, {
      list: "collaborations",
      heading: "New collaboration",
      what: "your permissions",
      load: myPermissions,
      refusal: (permissions) =>
        permissions.may("create", "collaboration")
          ? null
          : "Your rules do not allow creating collaborations.",
      async form(permissions, card) {
        const organizations = await fill(
          card,
          "the organizations",
          () => visibleOrganizations(signal),
          () => [],
        );
        if (!organizations) return null;
        const members = organizationCheckboxes("Organizations", organizations);
        return form({
          values: { encrypted: true },
          members,
          submitLabel: "Create collaboration",
          save: (body) =>
            api.request("POST", "/collaboration", {
              body: { ...body, organization_ids: chosenIds(members) },
            }),
        });
      },
    });
  },
};

export const editCollaboration = {
  title: "Edit collaboration",
  public: false,
  render({ main, args, signal }) {
    const path = `/collaboration/${encodeURIComponent(args.id)}`;
    formPage(main, {
      list: "collaborations",
      heading: "Edit collaboration",
      what: "the collaboration",
      load: () =>
        Promise.all([api.get(`${path}?include=organizations`, { signal }), myPermissions()]),
      title: ([collaboration]) => `Edit ${collaboration.name}`,
      refusal: ([collaboration, permissions]) =>
        permissions.may("edit", "collaboration", reachOf(permissions, collaboration))
          ? null
          : "Your rules do not allow editing this collaboration.",
      form([collaboration, permissions]) {
        // As on the server: switching encryption needs the global rule.
        const mayEncrypt = permissions.may("edit", "collaboration");
        return form({
          values: collaboration,
          mayEncrypt,
          submitLabel: "Save changes",
          save: ({ name, encrypted }) =>
            api.request("PATCH", path, { body: mayEncrypt ? { name, encrypted } : { name } }),
        });
      },
    });
  },
};

/** The form: name, encrypted and (when creating) `members`; save({name, encrypted}) sends
 * it, and the saved collaboration's page follows. */
function form({ values, members = null, mayEncrypt = true, submitLabel, save }) {
  const name = field("collaboration-name", "Name", {
    value: values.name ?? "",
    required: true,
    maxlength: 128,
  });
  const encrypted = encryptedField(values.encrypted, mayEncrypt);
  return sendingForm({
    attributes: { class: "collaboration-form" },
    children: [name, encrypted, members],
    submit: submitLabel,
    working: "Saving…",
    async send() {
      const body = {
        name: valueOf(name).trim(),
        encrypted: encrypted.querySelector("input").checked,
      };
      const saved = (await save(body)).answer;
      showSaved("collaborations", saved, `Collaboration “${saved.name}” was saved.`);
    },
  }).form;
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
