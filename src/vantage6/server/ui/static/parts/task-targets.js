// Where a new task can go in a collaboration: its organizations that have a node there (the
// server refuses the others), each flagged online or offline, and the images its tasks used.

import * as api from "../core/api.js";
import { h } from "../core/dom.js";
import { statusTag } from "./node-status.js";
import { organizationCheckboxes } from "./organization-picker.js";

const ALL = 500; // the server's largest page

/** The organizations of collaboration `id` with a node in it, each with its `node`, and how
 * many members have none: {targets, nodeless}. */
export async function targetsOf(id, signal) {
  const query = (more) => new URLSearchParams({ collaboration_id: id, per_page: ALL, ...more });
  const [organizations, nodes] = await Promise.all([
    api.list(`/organization?${query({ sort: "name" })}`, { signal }),
    api.list(`/node?${query()}`, { signal }),
  ]);
  const nodeOf = new Map(nodes.items.map((node) => [node.organization.id, node]));
  const targets = organizations.items
    .filter((organization) => nodeOf.has(organization.id))
    .map((organization) => ({ ...organization, node: nodeOf.get(organization.id) }));
  return { targets, nodeless: organizations.items.length - targets.length };
}

/** Checkboxes for `targets` (from targetsOf), those in `checked` (ids) ticked, with each
 * node's status; chosenIds() of organization-picker.js reads them. */
export function targetPicker({ targets, nodeless }, checked) {
  const picker = organizationCheckboxes("Organizations", targets, checked, (target) =>
    statusTag(target.node.status),
  );
  const notes = [
    targets.some((target) => target.node.status !== "online")
      ? "An offline node runs its part once it is back online."
      : null,
    nodeless > 0
      ? `${nodeless} ${nodeless === 1 ? "organization has" : "organizations have"} no node ` +
        "in this collaboration, so no task can go there."
      : null,
  ].filter(Boolean);
  picker.append(...notes.map((note) => h("p", { class: "hint" }, note)));
  return picker;
}

/** The images the collaboration's tasks used, newest first (none when the user may not see
 * its tasks). */
export async function usedImages(id, signal) {
  const query = new URLSearchParams({ collaboration_id: id, sort: "-id", per_page: ALL });
  try {
    const tasks = await api.list(`/task?${query}`, { signal });
    return [...new Set(tasks.items.map((task) => task.image))];
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 403) return [];
    throw error;
  }
}
