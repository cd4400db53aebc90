// The names of related records (collaborations, organizations, users) that list pages show
// instead of ids and offer as filters, as far as the user's rules let them see them.

import * as api from "../core/api.js";
import { quiet } from "../core/states.js";
import { idFilter } from "./listing.js";

const ALL = 500; // the server's largest page

/** Id -> name (labelOf(record), by default its name) of the `resource` records the user may
 * see, sorted by `sort`; null when their rules do not let them or the server refuses (a
 * filter is then left out and a table shows ids). */
export async function namesOf(
  resource,
  permissions,
  signal,
  { sort = "name", labelOf = (record) => record.name } = {},
) {
  if (!permissions.holds("view", resource)) return null;
  const query = new URLSearchParams({ sort, per_page: ALL });
  try {
    const { items } = await api.list(`/${resource}?${query}`, { signal });
    return new Map(items.map((item) => [Number(item.id), labelOf(item)]));
  } catch (error) {
    if (quiet(error)) throw error;
    return null;
  }
}

/** The name of `reference` ({id}) in `names`, or "<what> <id>" when it is not known there. */
export function nameIn(names, reference, what) {
  return names?.get(Number(reference.id)) ?? `${what} ${Number(reference.id)}`;
}

/** A list filter choosing one of the loaded names of `kind` ("collaborations", as the list's
 * load() returns them), sent to the API as `apiParameter`. */
export function namesFilter({ kind, key, label, any = "Any", apiParameter }) {
  return idFilter({
    key,
    label,
    any,
    choices: (names) => names[kind] && [...names[kind]],
    apiParameter,
  });
}
