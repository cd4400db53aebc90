// The signed-in user's tokens, kept in this module's memory only: never in the browser's
// storage or cookies, where other code or a later visitor could read them. Reloading the
// page therefore signs out; the sign-in page then brings the user back.

const RENEW_MARGIN_MS = 60_000; // renew at most this long before the access token expires

let tokens = null; // {access, refresh, userId, renewAt}
const listeners = new Set();

/** Call listener(reason) when the session starts ("signed-in") or ends ("signed-out",
 * "expired"). */
export function onChange(listener) {
  listeners.add(listener);
}

/** Start a session from the server's login answer (access_token, refresh_token). */
export function start(answer) {
  keep(answer);
  notify("signed-in");
}

/** Replace the tokens with a refreshed pair. */
export function renew(answer) {
  keep(answer);
}

/** Forget the tokens; reason is "signed-out" (the user asked) or "expired". */
export function end(reason) {
  if (tokens === null) return;
  tokens = null;
  notify(reason);
}

export function active() {
  return tokens !== null;
}

export function accessToken() {
  return tokens?.access ?? null;
}

export function refreshToken() {
  return tokens?.refresh ?? null;
}

/** The signed-in user's id. */
export function userId() {
  return tokens?.userId ?? null;
}

/** Whether the access token should be renewed before it is used again. */
export function renewalDue() {
  return tokens !== null && Date.now() >= tokens.renewAt;
}

function keep(answer) {
  const claims = claimsOf(answer.access_token);
  // The token's lifetime by the server's clock, counted from now on ours: a browser whose
  // clock is off still renews in time.
  const lifetime = (claims.exp - claims.iat) * 1000;
  const margin = Math.min(RENEW_MARGIN_MS, lifetime / 3);
  tokens = {
    access: answer.access_token,
    refresh: answer.refresh_token,
    userId: Number(claims.sub),
    renewAt: Date.now() + lifetime - margin,
  };
}

/** The claims of a JSON Web Token, read without checking it (the server does that). */
function claimsOf(token) {
  const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const padded = payload.padEnd(payload.length + ((4 - (payload.length % 4)) % 4), "=");
  const bytes = Uint8Array.from(atob(padded), (character) => character.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function notify(reason) {
  for (const listener of listeners) listener(reason);
}
