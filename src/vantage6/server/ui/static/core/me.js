// The signed-in user's own record, fetched once per session for whichever part of the page
// asks first (the header, the pages and permissions.js), with what the UI needs to know
// about their reach (permissions: role and rule ids, the organizations of their
// collaborations).

import * as api from "./api.js";
import * as session from "./session.js";

let cached = null; // {userId, promise}

/** GET /user/<id>?include_permissions=true of the signed-in user. */
export function currentUser() {
  const userId = session.userId();
  if (cached?.userId !== userId) {
    const promise = api.get(`/user/${userId}?include_permissions=true`);
    promise.catch(() => {
      if (cached?.promise === promise) cached = null; // ask again next time
    });
    cached = { userId, promise };
  }
  return cached.promise;
}

/** Forget the kept record, after the user changed it: the next currentUser() asks again. */
export function forgetCurrentUser() {
  cached = null;
}

/** The name to greet a user by. */
export function displayName(user) {
  const full = [user.firstname, user.lastname].filter(Boolean).join(" ");
  return full || user.username;
}

session.onChange(forgetCurrentUser);
