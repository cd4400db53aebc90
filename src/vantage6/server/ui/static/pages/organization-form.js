// Creating an organization (#/organizations/new) and editing one (#/organizations/<id>/edit).
// The public key is not edited here: an organization's nodes set it.

import * as api from "../api.js";
import { h, replace } from "../dom.js";
import { field, outcome, valueOf, whileBusy } from "../forms.js";
import * as notice from "../notice.js";
import { myPermissions } from "../permissions.js";
import * as router from "../router.js";
import { failed, fill, loading, quiet } from "../states.js";

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
  async render({ main }) {
    const content = h("div", { class: "card form-card" });
    replace(main, up(), h("h1", {}, "New organization"), content);
    replace(content, loading("your permissions"));
    const permissions = await allowed(content);
    if (!permissions) return;
    if (!permissions.may("create", "organization")) {
      replace(content, refused("Your rules do not allow creating organizations."));
      return;
    }
    const create = (body) => api.request("POST", "/organization", { body: withoutEmpty(body) });
    replace(content, form({ submitLabel: "Create organization", save: create }));
    content.querySelector("input").focus();
  },
};

export const editOrganization = {
  title: "Edit organization",
  public: false,
  async render({ main, args, signal }) {
    const path = `/organization/${encodeURIComponent(args.id)}`;
    const heading = h("h1", {}, "Edit organization");
    const content = h("div", { class: "card form-card" });
    replace(main, up(), heading, content);
    const loaded = await fill(
      content,
      "the organization",
      async () => [await api.get(path, { signal }), await myPermissions()],
      () => [],
    );
    if (!loaded) return;
    const [organization, permissions] = loaded;
    heading.textContent = `Edit ${organization.name}`;
    if (!permissions.may("edit", "organization", { organization: Number(organization.id) })) {
      replace(content, refused("Your rules do not allow editing this organization."));
      return;
    }
    replace(
      content,
      form({
        values: organization,
        submitLabel: "Save changes",
        save: (body) => api.request("PATCH", path, { body }),
      }),
    );
    content.querySelector("input").focus();
  },
};

function refused(text) {
  return h("p", { class: "empty" }, text);
}

function up() {
  return h("p", { class: "up" }, h("a", { href: "#/organizations" }, "All organizations"));
}

/** The user's permissions, or undefined after showing why they could not be loaded. */
async function allowed(content) {
  try {
    return await myPermissions();
  } catch (error) {
    if (!quiet(error)) replace(content, failed(error));
    return undefined;
  }
}

/** The form; save(body) sends it, and the saved organization's page follows. */
function form({ values = {}, submitLabel, save }) {
  const fields = FIELDS.map(([id, label, attributes]) =>
    field(`organization-${id}`, label, { value: values[id] ?? "", ...attributes }),
  );
  const message = outcome();
  const button = h("button", { type: "submit" }, submitLabel);
  const element = h(
    "form",
    { class: "organization-form" },
    fields,
    message,
    h("div", { class: "actions" }, button),
  );
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.say("");
    const body = Object.fromEntries(
      FIELDS.map(([id], i) => [id, valueOf(fields[i]).trim() || null]),
    );
    let sent;
    try {
      sent = await whileBusy(element, button, "Saving…", () => save(body));
    } catch (error) {
      if (!quiet(error)) message.say(error.message, "error");
      return;
    }
    const saved = sent.answer;
    notice.leave(`Organization “${saved.name}” was saved.`);
    router.navigate(`#/organizations/${Number(saved.id)}`);
  });
  return element;
}

/** For creating: fields left empty are left out. */
function withoutEmpty(body) {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null));
}
