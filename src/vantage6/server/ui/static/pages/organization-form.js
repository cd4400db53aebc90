// Creating an organization (#/organizations/new) and editing one (#/organizations/<id>/edit).
// The public key is not edited here: an organization's nodes set it.

import * as api from "../core/api.js";
import { formPage, showSaved } from "../parts/form-page.js";
import { field, sendingForm, valueOf } from "../parts/forms.js";
import { myPermissions } from "../access/permissions.js";

const FIELDS = [
  ["name", "Name", { required: true, maxlength: 128 }],
  ["domain", "Domain", { placeholder: "example.org" }],
  ["address1", "Address", { autocomplete: "address-line1" }],
  ["address2", "Address, second line", { autocomplete: "address-line2" }],
  ["zipcode", "Postal code", { autocomplete: "postal-code" }],
  ["country", "Country", { autocomplete: "country-name" }],
];

export const newOrganization = {
  title: "New organization",
  public: false,
  render({ main }) {
    formPage(main, {
      list: "organizations",
      heading: "New organization",
      what: "your permissions",
      load: myPermissions,
      refusal: (permissions) =>
        permissions.may("create", "organization")
          ? null
          : "Your rules do not allow creating organizations.",
      form: () =>
        form({
          submitLabel: "Create organization",
          save: (body) => api.request("POST", "/organization", { body: withoutEmpty(body) }),
        }),
    });
  },
};

export const editOrganization = {
  title: "Edit organization",
  public: false,
  render({ main, args, signal }) {
    const path = `/organization/${encodeURIComponent(args.id)}`;
    formPage(main, {
      list: "organizations",
      heading: "Edit organization",
      what: "the organization",
      load: async () => [await api.get(path, { signal }), await myPermissions()],
      title: ([organization]) => `Edit ${organization.name}`,
      refusal: ([organization, permissions]) =>
        permissions.may("edit", "organization", { organization: Number(organization.id) })
          ? null
          : "Your rules do not allow editing this organization.",
      form: ([organization]) =>
        form({
          values: organization,
          submitLabel: "Save changes",
          save: (body) => api.request("PATCH", path, { body }),
        }),
    });
  },
};

/** The form; save(body) sends it, and the saved organization's page follows. */
function form({ values = {}, submitLabel, save }) {
  const fields = FIELDS.map(([id, label, attributes]) =>
    field(`organization-${id}`, label, { value: values[id] ?? "", ...attributes }),
  );
  return sendingForm({
    attributes: { class: "organization-form" },
    children: fields,
    submit: submitLabel,
    working: "Saving…",
    async send() {
      const body = Object.fromEntries(
        FIELDS.map(([id], i) => [id, valueOf(fields[i]).trim() || null]),
      );
      const saved = (await save(body)).answer;
      showSaved("organizations", saved, `Organization “${saved.name}” was saved.`);
    },
  }).form;
}

/** For creating: fields left empty are left out. */
function withoutEmpty(body) {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null));
}
