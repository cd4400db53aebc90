// The signed-in user's own account.

import * as api from "../core/api.js";
import { details, h, replace } from "../core/dom.js";
import { currentUser } from "../core/me.js";
import { fill } from "../core/states.js";

export default {
  title: "Account",
  public: false,
  render({ main, signal }) {
    const content = h("div", { class: "card" });
    const change = h("a", { href: "#/account/password" }, "Change your password");
    replace(main, h("h1", {}, "Your account"), content, h("p", {}, change));
    fill(
      content,
      "your account",
      async () => {
        const user = await currentUser();
        const organization = await api.get(`/organization/${user.organization.id}`, { signal });
        return { user, organization };
      },
      ({ user, organization }) =>
        details([
          ["Username", user.username],
          ["First name", user.firstname],
          ["Last name", user.lastname],
          ["Email", user.email],
          ["Organization", organization.name],
          ["Last seen", user.last_seen ? new Date(user.last_seen).toLocaleString() : null],
        ]),
    );
  },
};
