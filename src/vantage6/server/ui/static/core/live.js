// What changes while a page is open: the server's events (<api>/ws), one socket per session,
// opened when a page first follows them and closed when the session ends. Pages name the
// events after which what they show is out of date; while the socket is down they are
// refreshed every few seconds instead, and liveBadge() tells the user which of the two it is.
//
// The server (vantage6.server.events) takes the access token as the socket's first message,
// closes the socket when that token expires (the session renews tokens only for requests,
// so a new socket then starts with a renewed one), wants to hear from the client within 90 s
// (a "ping"; it answers "pong"), and says "sync" when the socket is in its rooms: after
// connecting, and when the user's rights moved it. Events missed in between are caught up on
// by refreshing at every "sync".

import * as api from "./api.js";
import { apiPath } from "./config.js";
import { h, replace } from "./dom.js";
import * as session from "./session.js";

const PING_MS = 30_000;
const SILENCE_MS = 2 * PING_MS + 5_000; // not even a "pong" for this long: the line is dead
const RETRY_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000]; // after 1, 2, … failed tries
const NOT_ALLOWED_RETRY_MS = 60_000; // the user's rules may come to allow events later
const TRIES_BEFORE_POLLING = 2; // a single dropped connection is only "Reconnecting…"
const BURST_MS = 250; // events this close together are one change to show
const BURST_MAX_MS = 2_000; // a long burst still shows its changes this often
const DEFAULT_INTERVAL_MS = 5_000;

// The server's close codes (vantage6.server.events.websocket).
const POLICY_VIOLATION = 1008; // e.g. no event receive rule
const TOKEN_EXPIRED = 4001;
const TOKEN_INVALID = 4002;

// "off" (no session), "connecting" (first try), "reconnecting", "live", "polling".
let state = "off";
let socket = null; // the WebSocket, or "opening" while its token is fetched
let failures = 0; // tries since the last "sync"
let renewedForSocket = false; // a refused token was renewed once: refused again, back off
let retryTimer = null;
let pingTimer = null;
let lastHeard = 0;
const followers = new Set();
const badges = new Set(); // WeakRefs: a badge that left the page is not kept alive

/**
 * Call refresh() when one of `events` (names, e.g. "algorithm_status_change") arrives,
 * after the socket (re)joined its rooms, and every intervalMs while it is down, until
 * `signal` aborts. Bursts give one call, and calls never overlap.
 */
export function follow({ events, refresh, intervalMs = DEFAULT_INTERVAL_MS, signal }) {
  if (signal?.aborted) return;
  const follower = newFollower(new Set(events), refresh, intervalMs);
  followers.add(follower);
  signal?.addEventListener(
    "abort",
    () => {
      followers.delete(follower);
      follower.stop();
      drawBadges();
    },
    { once: true },
  );
  follower.poll(polling());
  connect();
  drawBadges();
}

/** A status element saying whether what the page shows follows the server live. */
export function liveBadge() {
  const badge = h("span", { role: "status" });
  badges.add(new WeakRef(badge));
  drawBadge(badge);
  return badge;
}

session.onChange((reason) => {
  if (reason !== "signed-in") disconnect();
});

function newFollower(events, refresh, intervalMs) {
  let running = false;
  let again = false;
  let burst = null; // {timer, started}
  let poller = null;
  const run = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await refresh();
    } catch {
      // the page shows its own errors; the next event or poll tries again
    } finally {
      running = false;
    }
    if (again) {
      again = false;
      run();
    }
  };
  return {
    events,
    intervalMs,
    changed() {
      const now = Date.now();
      const started = burst?.started ?? now;
      clearTimeout(burst?.timer);
      const wait = Math.min(BURST_MS, started + BURST_MAX_MS - now);
      const timer = setTimeout(() => {
        burst = null;
        run();
      }, wait);
      burst = { timer, started };
    },
    poll(on) {
      if (on && poller === null) poller = setInterval(run, intervalMs);
      if (!on && poller !== null) {
        clearInterval(poller);
        poller = null;
      }
    },
    stop() {
      clearTimeout(burst?.timer);
      this.poll(false);
    },
  };
}

function polling() {
  return state !== "live" && state !== "off";
}

function setState(next) {
  if (state === next) return;
  state = next;
  for (const follower of followers) follower.poll(polling());
  drawBadges();
}

async function connect({ renew = false } = {}) {
  if (socket !== null || retryTimer !== null || !session.active() || followers.size === 0) {
    return;
  }
  socket = "opening";
  if (state === "off") setState("connecting");
  let token;
  try {
    token = await api.socketToken({ renew });
  } catch (error) {
    socket = null;
    if (!(error instanceof api.SignedOut)) retryLater(); // else: the session ended
    return;
  }
  if (socket !== "opening") return; // the session ended meanwhile
  const opened = new WebSocket(socketAddress());
  socket = opened;
  opened.addEventListener("open", () => opened.send(JSON.stringify({ token })));
  opened.addEventListener("message", (message) => heard(opened, message.data));
  opened.addEventListener("close", (event) => lost(opened, event.code));
}

function socketAddress() {
  const address = new URL(`${apiPath}/ws`, location.href);
  address.protocol = address.protocol === "https:" ? "wss:" : "ws:";
  return address.href;
}

function heard(opened, text) {
  if (opened !== socket) return;
  lastHeard = Date.now();
  let message;
  try {
    message = JSON.parse(text);
  } catch {
    return; // not the server's
  }
  if (message?.event === "sync") {
    failures = 0;
    renewedForSocket = false;
    startPinging(opened);
    setState("live");
    for (const follower of followers) follower.changed();
    return;
  }
  for (const follower of followers) {
    if (follower.events.has(message?.event)) follower.changed();
  }
}

function lost(opened, code) {
  if (opened !== socket) return;
  socket = null;
  stopPinging();
  if (!session.active()) return;
  const tokenRefused = code === TOKEN_EXPIRED || code === TOKEN_INVALID;
  if (tokenRefused && !renewedForSocket) {
    // The token ran out while the socket was open (or was revoked): once, at once, renewed.
    renewedForSocket = true;
    setState("reconnecting");
    connect({ renew: true });
  } else if (code === POLICY_VIOLATION) {
    setState("polling");
    retryLater(NOT_ALLOWED_RETRY_MS);
  } else {
    retryLater();
  }
}

function retryLater(wait = null) {
  failures += 1;
  if (wait === null) wait = RETRY_MS[Math.min(failures, RETRY_MS.length) - 1];
  if (state !== "polling") {
    setState(failures >= TRIES_BEFORE_POLLING ? "polling" : "reconnecting");
  }
  retryTimer = setTimeout(() => {
    retryTimer = null;
    connect();
  }, wait);
}

function startPinging(opened) {
  stopPinging();
  pingTimer = setInterval(() => {
    if (Date.now() - lastHeard > SILENCE_MS) {
      opened.close();
      lost(opened, 1006); // do not wait for a closing handshake on a dead line
    } else {
      opened.send(JSON.stringify({ event: "ping" }));
    }
  }, PING_MS);
}

function stopPinging() {
  clearInterval(pingTimer);
  pingTimer = null;
}

/** The session ended: close the socket and forget how it went. */
function disconnect() {
  clearTimeout(retryTimer);
  retryTimer = null;
  stopPinging();
  if (socket instanceof WebSocket) socket.close(1000, "signed out");
  socket = null;
  failures = 0;
  renewedForSocket = false;
  setState("off");
}

function drawBadges() {
  for (const reference of badges) {
    const badge = reference.deref();
    if (badge === undefined) badges.delete(reference);
    else drawBadge(badge);
  }
}

function drawBadge(badge) {
  badge.className = `tag live-state ${state}`;
  replace(badge, badgeText());
}

function badgeText() {
  switch (state) {
    case "live":
      return "Live";
    case "connecting":
      return "Connecting…";
    case "reconnecting":
      return "Reconnecting…";
    default: {
      const intervals = [...followers].map((follower) => follower.intervalMs);
      const shortest = intervals.length > 0 ? Math.min(...intervals) : DEFAULT_INTERVAL_MS;
      const seconds = Math.round(shortest / 1000);
      return `Updating every ${seconds} s`;
    }
  }
}
