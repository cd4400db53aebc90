// Choosing among organizations (visible-organizations.js loads those the user may see): one
// from a list (adding a member to a collaboration), or several with checkboxes (a new one's).

import { h } from "../core/dom.js";
import { field } from "./forms.js";
import { empty } from "../core/states.js";

/** A labelled list to pick one of `organizations` from (its value is the id). */
export function organizationSelect(id, label, organizations) {
  return field(id, label, {
    tag: "select",
    required: true,
    children: organizations.map((organization) =>
      h("option", { value: Number(organization.id) }, organization.name),
    ),
  });
}

/** Checkboxes for `organizations` under the legend `legend`, those in `checked` (ids)
 * ticked, each followed by note(organization) (e.g. its node's status) when given;
 * chosenIds(group) reads which are. */
export function organizationCheckboxes(legend, organizations, checked = [], note = () => null) {
  const ticked = new Set(checked.map(Number));
  const boxes = organizations.map((organization) => {
    const id = `organization-choice-${Number(organization.id)}`;
    return h(
      "li",
      { class: "check" },
      h("input", {
        type: "checkbox",
        id,
        value: Number(organization.id),
        checked: ticked.has(Number(organization.id)),
      }),
      h("label", { for: id }, organization.name),
      note(organization),
    );
  });
  return h(
    "fieldset",
    { class: "choices" },
    h("legend", {}, legend),
    boxes.length ? h("ul", { class: "choice-list" }, boxes) : empty("There are none to choose."),
  );
}

/** The ids of the organizations ticked in a group made by organizationCheckboxes(). */
export function chosenIds(group) {
  return [...group.querySelectorAll("input:checked")].map((box) => Number(box.value));
}
