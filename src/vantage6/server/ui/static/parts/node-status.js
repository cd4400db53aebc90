// How a node's presence reads on the nodes pages: online or not, and when it was last seen.

import { h } from "../core/dom.js";

const ONLINE = "online"; // the server's word (events/presence.py); anything else is offline

/** A tag saying whether the node is online. */
export function statusTag(status) {
  const online = status === ONLINE;
  return h(
    "span",
    { class: `tag status ${online ? "online" : "offline"}` },
    online ? "online" : "offline",
  );
}

/** When the node was last seen, in the user's local time; "never" before its first visit. */
export function lastSeen(time) {
  return time ? new Date(time).toLocaleString() : "never";
}
