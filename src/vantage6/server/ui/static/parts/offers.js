// The actions a page offers (New, Edit, Delete …), drawn once the user's permissions are
// known. The area is busy until then, so that "nothing offered" is an answer one can wait for.

import { h, replace } from "../core/dom.js";
import { myPermissions } from "../access/permissions.js";

/** An empty, busy area for a page's actions (next to its heading). */
export function actionsArea() {
  return h("div", { class: "page-actions", "aria-busy": "true" });
}

/** Fill `actions` with build(permissions) (elements, or null for what is not allowed); when
 * the permissions cannot be loaded nothing is offered (the server would say why). */
export function offer(actions, build) {
  myPermissions()
    .then(
      (permissions) => replace(actions, build(permissions)),
      () => {},
    )
    .finally(() => settle(actions));
}

/** The area will get no actions (the record could not be loaded): no longer busy. */
export function settle(actions) {
  actions.removeAttribute("aria-busy");
}
