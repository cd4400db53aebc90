// Loading the organization's private key into the page, for encrypted collaborations: the
// file's text goes straight to crypto.loadPrivateKey, which keeps only a non-extractable key
// in memory; neither the file nor its text is kept. The key is forgotten when the session
// ends. Shared by the pages that read results (task) and encrypt input (the task form).

import { h } from "../core/dom.js";
import { hasPrivateKey, loadPrivateKey, forgetPrivateKey } from "../formats/crypto.js";
import { outcome } from "./forms.js";
import * as session from "../core/session.js";

const LOADED = "Your organization's private key is loaded, in this page only.";

/** A file input for the private key; onLoaded() runs once a key was loaded from it. */
export function privateKeyLoader({ id = "private-key", onLoaded = () => {} } = {}) {
  const said = outcome();
  if (hasPrivateKey()) said.say(LOADED);
  const input = h("input", { id, type: "file", accept: ".pem,.key,.txt,application/x-pem-file" });
  input.addEventListener("change", async () => {
    const [file] = input.files;
    if (!file) return;
    try {
      await loadPrivateKey(await file.text());
    } catch (error) {
      said.say(`That key cannot be used: ${error.message}.`, "error");
      return;
    } finally {
      input.value = ""; // the same file may be chosen again; nothing of it stays here
    }
    said.say(LOADED);
    onLoaded();
  });
  return h(
    "div",
    { class: "private-key" },
    h(
      "div",
      { class: "field" },
      h("label", { for: id }, "Your organization's private key"),
      input,
      h(
        "p",
        { class: "hint" },
        "The collaboration is encrypted. The key file stays on this computer: the page uses " +
          "it to read your organization's results and forgets it when you sign out.",
      ),
    ),
    said,
  );
}

session.onChange((reason) => {
  if (reason !== "signed-in") forgetPrivateKey();
});
