// Any hash that names no page.

import { h, replace } from "../core/dom.js";
import { HOME } from "../core/router.js";

export default {
  title: "Not found",
  public: true,
  render({ main }) {
    replace(
      main,
      h("h1", {}, "Page not found"),
      h("p", {}, "There is no such page. ", h("a", { href: HOME }, "Go to the home page")),
    );
  },
};
