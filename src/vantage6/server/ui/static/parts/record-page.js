// The head of a record's page: the link up to its list, and the heading (the record's name once
// it is loaded) beside the actions offered, Delete among them. The pages that create and edit
// records share the link up.

import { deleteButton } from "./deletion.js";
import { h, replace } from "../core/dom.js";
import * as notice from "../core/notice.js";
import { actionsArea } from "./offers.js";
import * as router from "../core/router.js";

/** The link up to the list at #/<list> ("roles": "All roles"). */
export function up(list) {
  return h("p", { class: "up" }, h("a", { href: `#/${list}` }, `All ${list}`));
}

/** Fill main with the link up to `list`, the heading `title` (attributes: the heading's)
 * beside a busy actions area (offers.js), then `sections`: {heading, actions}. */
export function recordPage(main, { list, title, attributes = {} }, ...sections) {
  const heading = h("h1", attributes, title);
  const actions = actionsArea();
  replace(main, up(list), h("div", { class: "page-head" }, heading, actions), sections);
  return { heading, actions };
}

/** Name the page after its record, in the heading and in the window's title. */
export function named(heading, name) {
  heading.textContent = name;
  document.title = `${name} · vantage6`;
}

/** Delete, on the page of the `kind` ("role") `id` called `name` at API `path`: once it is
 * deleted, the list follows with the server's message. */
export function deleteOffer({ kind, id, name, path }) {
  return deleteButton({
    what: `${kind} “${name}”`,
    path,
    onDeleted: (answer) => {
      const said = `${kind[0].toUpperCase()}${kind.slice(1)} ${id} was deleted`;
      notice.leave(answer?.msg ?? said);
      router.navigate(`#/${kind}s`);
    },
  });
}
