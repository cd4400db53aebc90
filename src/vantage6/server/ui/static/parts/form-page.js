// The page that creates or edits a record: the link up to the list, the heading and a card.
// The card loads what the form needs (the user's permissions, the record), then says that the
// user's rules do not allow it, or shows the form, its first field focused. A saved record's
// page follows, with a notice.

import { h, replace } from "../core/dom.js";
import * as notice from "../core/notice.js";
import { up } from "./record-page.js";
import * as router from "../core/router.js";
import { empty, fill } from "../core/states.js";

/**
 * Draw the page in main. list: where the link up goes ("roles"); heading: its text until
 * title(loaded) renames it; card: the card's classes. load() gets what the form needs
 * (meanwhile "Loading <what>…"); refusal(loaded) is the text saying the user may not, or
 * null; form(loaded, card) resolves to the form (or null when it loaded more into the card and
 * that failed). `focus` selects what gets the focus.
 */
export async function formPage(
  main,
  { list, heading, card = "card form-card", what, load, title, refusal, form, focus = "input" },
) {
  const head = h("h1", {}, heading);
  const content = h("div", { class: card });
  replace(main, up(list), head, content);
  const loaded = await fill(content, what, load, () => []);
  if (!loaded) return;
  if (title) head.textContent = title(loaded);
  const refused = refusal(loaded);
  if (refused) {
    replace(content, empty(refused));
    return;
  }
  const shown = await form(loaded, content);
  if (!shown) return;
  replace(content, shown);
  content.querySelector(focus)?.focus();
}

/** After saving record `saved`: its page (#/<list>/<id>) follows, with `text` above it. */
export function showSaved(list, saved, text) {
  notice.leave(text);
  router.navigate(`#/${list}/${Number(saved.id)}`);
}
