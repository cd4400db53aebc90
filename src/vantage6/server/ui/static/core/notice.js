// A message for the next page shown ("Organization 7 was deleted"): a page that navigates
// away after doing something leaves it here, and the layout shows it above the next page.

let waiting = null;

/** Show text above the next page. */
export function leave(text) {
  waiting = text;
}

/** The waiting message, once (null when there is none). */
export function take() {
  const text = waiting;
  waiting = null;
  return text;
}
