// Creating a task (#/tasks/new), or repeating one (#/tasks/new?repeat=<id>, the form filled
// from it): a collaboration of the user's organization, the organizations with a node there,
// the image, name, description, database labels and the algorithm input. The input is
// serialized (and encrypted) by formats/task-input.js exactly as the Python client does, so
// an algorithm receives the same whichever way the task was made. The task's page follows.

import * as api from "../core/api.js";
import { h, replace } from "../core/dom.js";
import { currentUser } from "../core/me.js";
import { empty, fill } from "../core/states.js";
import { myPermissions } from "../access/permissions.js";
import { organizationInputs, TaskInputError } from "../formats/task-input.js";
import { inputEditor } from "../parts/algorithm-input.js";
import { formPage, showSaved } from "../parts/form-page.js";
import { field, sendingForm, valueOf } from "../parts/forms.js";
import { chosenIds } from "../parts/organization-picker.js";
import { privateKeyLoader } from "../parts/private-key.js";
import { repeatedInput, repeatedOrganizations, taskToRepeat } from "../parts/task-repeat.js";
import { targetPicker, targetsOf, usedImages } from "../parts/task-targets.js";

const ALL = 500; // the server's largest page: all the collaborations of an organization

/** What the nodes of an encrypted collaboration read (GET /collaboration/<id> says, not the
 * list): a vantage6 4.x node reads only the legacy format. */
async function formatsRead(collaboration) {
  if (!collaboration.encrypted) return [];
  const record = await api.get(`/collaboration/${Number(collaboration.id)}`);
  return record.encryption_formats ?? [];
}
const DEFAULT_DATABASE = "default"; // what the Python client asks for when given none

export const newTask = {
  title: "Create a task",
  public: false,
  render({ main, params, signal }) {
    const repeat = params.get("repeat");
    formPage(main, {
      list: "tasks",
      heading: "Create a task",
      what: repeat ? "the task to repeat" : "your permissions",
      load: () =>
        Promise.all([myPermissions(), currentUser(), repeat && taskToRepeat(repeat, signal)]),
      title: ([, , repeated]) => (repeated ? `Repeat task ${repeated.task.id}` : "Create a task"),
      refusal: ([permissions]) =>
        mayCreateTasks(permissions) ? null : "Your rules do not allow creating tasks.",
      async form([, user, repeated], card) {
        const organizationId = user.organization.id;
        const query = new URLSearchParams({
          organization_id: organizationId,
          sort: "name",
          per_page: ALL,
        });
        const collaborations = await fill(
          card,
          "your collaborations",
          () => api.list(`/collaboration?${query}`, { signal }),
          () => [],
        );
        if (!collaborations) return null;
        if (collaborations.items.length === 0) {
          return empty("Your organization is in no collaboration to send a task in.");
        }
        return taskForm({ collaborations: collaborations.items, organizationId, repeated, signal });
      },
      focus: "select",
    });
  },
};

/** As the server's ACL of a collaboration's tasks (resources/task.py): the task create rule
 * at global scope, or at collaboration scope, which reaches every collaboration of the user's
 * organization; the only ones offered, as the server takes tasks from members only. */
function mayCreateTasks(permissions) {
  return permissions
    .scopes("create", "task")
    .some((scope) => scope === "global" || scope === "collaboration");
}

function taskForm({ collaborations, organizationId, repeated, signal }) {
  const source = repeated?.task;
  const collaboration = field("task-collaboration", "Collaboration", {
    tag: "select",
    required: true,
    children: [
      h("option", { value: "" }, "Choose a collaboration"),
      collaborations.map((found) =>
        h(
          "option",
          { value: Number(found.id), selected: found.id === source?.collaboration.id },
          found.encrypted ? `${found.name} (encrypted)` : found.name,
        ),
      ),
    ],
  });
  const where = h("div", { class: "task-where" });
  const name = field("task-name", "Name", { value: source?.name ?? "" });
  const description = field("task-description", "Description", {
    tag: "textarea",
    rows: 2,
    children: [source?.description ?? ""],
  });
  const images = h("datalist", { id: "task-images" });
  const image = field("task-image", "Image", {
    required: true,
    list: "task-images",
    autocomplete: "off",
    spellcheck: "false",
    value: source?.image ?? "",
  });
  image.append(images);
  const databases = field("task-databases", "Database labels", {
    value: source
      ? source.databases.map((database) => database.label).join(", ")
      : DEFAULT_DATABASE,
    "aria-describedby": "task-databases-hint",
  });
  databases.append(
    h(
      "p",
      { id: "task-databases-hint", class: "hint" },
      "Separated by commas, as the nodes name their databases; empty for none.",
    ),
  );
  const editor = inputEditor();
  const inputNote = h("div", { class: "input-note" });

  let chosen = null; // {collaboration, targets} once its organizations are shown
  let inputRead = false;
  const readRepeatedInput = async () => {
    if (!repeated || inputRead) return;
    const { input, problem } = await repeatedInput(repeated, organizationId);
    inputRead = Boolean(input);
    if (input) editor.show(input);
    replace(
      inputNote,
      input
        ? null
        : h(
            "p",
            { class: "notice", role: "status" },
            `The input of task ${Number(source.id)} cannot be read here: ${problem}. ` +
              "Enter it below.",
          ),
    );
  };

  let preticked = repeatedOrganizations(repeated ?? {});
  const choose = async () => {
    chosen = null;
    const id = Number(valueOf(collaboration));
    if (!id) {
      replace(where);
      return;
    }
    const picked = collaborations.find((found) => found.id === id);
    const ticked = preticked;
    preticked = [];
    const loaded = await fill(
      where,
      "its organizations",
      async () => {
        const [reach, used] = await Promise.all([targetsOf(id, signal), usedImages(id, signal)]);
        // Chosen another collaboration meanwhile: that choice's answer draws the field.
        if (Number(valueOf(collaboration)) !== id) {
          throw new DOMException("superseded", "AbortError");
        }
        return { reach, used };
      },
      ({ reach, used }) => {
        replace(images, used.map((value) => h("option", { value })));
        return [
          targetPicker(reach, ticked),
          picked.encrypted ? privateKeyLoader({ onLoaded: readRepeatedInput }) : null,
        ];
      },
    );
    if (loaded) chosen = { collaboration: picked, targets: loaded.reach.targets };
  };
  collaboration.querySelector("select").addEventListener("change", choose);

  const { form } = sendingForm({
    attributes: { class: "task-form" },
    children: [
      collaboration,
      where,
      name,
      description,
      image,
      databases,
      inputNote,
      editor.element,
    ],
    submit: "Create task",
    working: "Creating…",
    async send() {
      if (!chosen) {
        throw new TaskInputError("Choose a collaboration and wait for its organizations");
      }
      const ids = new Set(chosenIds(where));
      if (ids.size === 0) throw new TaskInputError("Choose at least one organization");
      const organizations = chosen.targets.filter((target) => ids.has(target.id));
      const input = editor.read();
      const body = {
        image: valueOf(image).trim(),
        collaboration_id: chosen.collaboration.id,
        organizations: await organizationInputs(input, {
          organizations,
          encrypted: chosen.collaboration.encrypted,
          formats: await formatsRead(chosen.collaboration),
        }),
        databases: labels(valueOf(databases)).map((label) => ({ label })),
      };
      const text = { name: valueOf(name).trim(), description: valueOf(description).trim() };
      for (const [key, value] of Object.entries(text)) if (value) body[key] = value;
      const created = (await api.request("POST", "/task", { body })).answer;
      showSaved("tasks", created, `Task ${Number(created.id)} was created.`);
    },
  });
  if (valueOf(collaboration)) choose();
  readRepeatedInput();
  return form;
}

function labels(text) {
  return text
    .split(",")
    .map((label) => label.trim())
    .filter(Boolean);
}
