// Moving through the pages of a list: where the user is ("11–20 of 23") and links to the
// previous and next pages.

import { h } from "../core/dom.js";

/** Navigation for page `page` (from 1) of `perPage` items out of `total`; hrefFor(n) is the
 * address of page n. */
export function pager({ page, perPage, total, hrefFor }) {
  const last = Math.max(1, Math.ceil(total / perPage));
  const first = Math.min(total, (page - 1) * perPage + 1);
  const upTo = Math.min(total, page * perPage);
  const link = (number, label, rel) =>
    number >= 1 && number <= last && number !== page
      ? h("a", { href: hrefFor(number), rel }, label)
      : h("span", { class: "disabled", "aria-disabled": "true" }, label);
  return h(
    "nav",
    { class: "pager", "aria-label": "Pages" },
    link(Math.min(page - 1, last), "Previous", "prev"),
    h("span", { class: "position" }, `${first}–${upTo} of ${total} · page ${page} of ${last}`),
    link(page + 1, "Next", "next"),
  );
}
