// A node's new API key, shown this once (the server keeps only its hash), with its node
// configuration file to download. Nothing is stored: leaving the page forgets the key.

import { h, replace } from "../core/dom.js";
import { field } from "./forms.js";
import { configFileName, nodeConfig } from "../formats/node-config.js";
import { failed, quiet } from "../core/states.js";

/**
 * The key of `node` ({id, name}) and the "Download node configuration" button; `encrypted`
 * is its collaboration's setting (null: unknown). `signal` (the page's) ends with the page.
 */
export function newKey({ node, apiKey, encrypted, signal }) {
  const heading = h("h2", { id: "new-key-heading", tabindex: "-1" }, "The node's API key");
  const key = field("new-api-key", "API key", {
    readonly: true,
    value: apiKey,
    class: "api-key",
    spellcheck: "false",
    autocomplete: "off",
    onfocus: (event) => event.target.select(),
  });
  const download = h("button", { type: "button" }, "Download node configuration");
  const file = configFileName(node);
  let address = null; // the object URL of the last download, revoked with the page
  const revoke = () => address && URL.revokeObjectURL(address);
  signal.addEventListener("abort", revoke, { once: true });
  const problem = h("div"); // why the last download failed
  download.addEventListener("click", async () => {
    revoke();
    replace(problem);
    download.disabled = true;
    try {
      const text = await nodeConfig({ node, apiKey, encrypted, signal });
      address = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
      h("a", { href: address, download: file }).click();
    } catch (error) {
      if (!quiet(error)) replace(problem, failed(error));
    } finally {
      download.disabled = false;
    }
  });
  return h(
    "section",
    { class: "card new-key", "aria-labelledby": "new-key-heading" },
    heading,
    h(
      "p",
      { class: "key-warning" },
      "Copy this key or download the configuration now: it is shown only this once. The " +
        "server keeps no copy it could show again; if it is lost, reset the key.",
    ),
    key,
    h("div", { class: "actions" }, download),
    problem,
    h(
      "p",
      {},
      `The file “${file}” holds this server's address, the key, and settings to review. Fill ` +
        "in the data your node may read, then start it with ",
      h("code", {}, `vnode start ${file}`),
      ".",
    ),
  );
}
