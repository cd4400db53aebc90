// Long lists shown a part at a time, so that a result of a hundred thousand items does not
// build a hundred thousand elements before the user asks for them.

import { append, h } from "../core/dom.js";

const CHUNK = 200;

/**
 * Append render(item) for the first `size` of `items` to `container`. Returns a button that
 * appends the next ones (hidden once all are shown), for the caller to place after it.
 */
export function showInChunks(container, items, render, size = CHUNK) {
  const more = h("button", { type: "button", class: "secondary show-more" });
  let shown = 0;
  const showNext = () => {
    const next = items.slice(shown, shown + size);
    append(container, next.map(render));
    shown += next.length;
    const left = items.length - shown;
    more.hidden = left === 0;
    more.textContent = `Show ${Math.min(size, left)} more (${left} not shown)`;
  };
  more.addEventListener("click", showNext);
  showNext();
  return more;
}
