// Requests to the REST API. As the signed-in user, each request carries the access token,
// renewed (POST /token/refresh with the refresh token) shortly before it expires, or when the
// server refuses it early. When renewing fails too, the session ends: the session's listeners
// (main.js) send the user to the sign-in page, and back to where they were afterwards.

import { apiPath } from "./config.js";
import * as session from "./session.js";

/** The server refused a request or could not be reached; message is the server's own. */
export class ApiError extends Error {
  constructor(status, message, answer = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.answer = answer;
  }
}

/** The session ended while a request was on its way; the sign-in page is shown instead. */
export class SignedOut extends Error {
  constructor() {
    super("Your session has ended: sign in again");
    this.name = "SignedOut";
  }
}

let renewing = null; // the renewal in progress, which concurrent requests share

/** A request without a session (signing in, recovery): the answer, or an ApiError. */
export async function publicRequest(method, path, { body, signal } = {}) {
  const { response, answer } = await send(method, path, { body, signal });
  if (!response.ok) throw refusal(response, answer);
  return answer;
}

/** A request as the signed-in user: {answer, response}, or an ApiError or SignedOut. */
export async function request(method, path, { body, signal } = {}) {
  if (!session.active()) throw new SignedOut();
  if (session.renewalDue()) await renew();
  let sent = await send(method, path, { body, signal, token: session.accessToken() });
  if (tokenRefused(sent.response)) {
    // Refused before its time (revoked, or the server's clock runs ahead): renew once. The
    // server did nothing with the request, so sending it again is safe.
    await renew();
    sent = await send(method, path, { body, signal, token: session.accessToken() });
    if (tokenRefused(sent.response)) throw signedOut();
  }
  if (!sent.response.ok) throw refusal(sent.response, sent.answer);
  return sent;
}

/** GET one record. */
export async function get(path, options) {
  return (await request("GET", path, options)).answer;
}

/** GET a page of a list: {items, total} (total from the server's total-count header). */
export async function list(path, options) {
  const { answer, response } = await request("GET", path, options);
  const total = Number(response.headers.get("total-count") ?? answer.data.length);
  return { items: answer.data, total };
}

/** The access token for the event socket (core/live.js), renewed first when it is due, or
 * when `renew` (the server refused it on the socket). */
export async function socketToken({ renew: refused = false } = {}) {
  if (!session.active()) throw new SignedOut();
  if (refused || session.renewalDue()) await renew();
  return session.accessToken();
}

/** A 401 about the token, which the server marks with WWW-Authenticate; other 401s (a wrong
 * current password) are answers to show. */
function tokenRefused(response) {
  return response.status === 401 && response.headers.has("WWW-Authenticate");
}

function renew() {
  renewing ??= (async () => {
    try {
      const { response, answer } = await send("POST", "/token/refresh", {
        token: session.refreshToken(),
      });
      if (!response.ok || !answer?.access_token) throw signedOut();
      session.renew(answer);
    } finally {
      renewing = null;
    }
  })();
  return renewing;
}

function signedOut() {
  session.end("expired");
  return new SignedOut();
}

async function send(method, path, { body, signal, token }) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(apiPath + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      credentials: "omit",
      cache: "no-store",
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "The server cannot be reached: check your connection and try again");
  }
  return { response, answer: await jsonOf(response) };
}

async function jsonOf(response) {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null; // not JSON (a proxy's error page): refusal() describes the status instead
  }
}

function refusal(response, answer) {
  const message =
    typeof answer?.msg === "string"
      ? answer.msg
      : `The server answered ${response.status} ${response.statusText}`.trim();
  return new ApiError(response.status, message, answer);
}
