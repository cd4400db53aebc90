// Loading the organization's private key into the page, for encrypted collaborations: the
// file's text goes straight to crypto.loadPrivateKey, which keeps only a non-extractable key
// in memory; neither the file nor its text is kept. The key must pair with the public key
// the server has for the user's organization (when it has one). The key is forgotten when
// the session ends. Shared by the pages that read results (task) and encrypt input (the
// task form).

import * as api from "../core/api.js";
import { h } from "../core/dom.js";
import { currentUser } from "../core/me.js";
import { hasPrivateKey, loadPrivateKey, forgetPrivateKey } from "../formats/crypto.js";
import { outcome } from "./forms.js";
import * as session from "../core/session.js";

const LOADED = "Your organization's private key is loaded, in this page only.";
const UNCHECKED =
  " The server has no public key of your organization yet, so it could not be checked " +
  "(the organization's node uploads one when it starts).";

/** A file input for the private key; onLoaded() runs once a key was loaded from it. */
export function privateKeyLoader({ id = "private-key", onLoaded = () => {} } = {}) {
  const said = outcome();
  if (hasPrivateKey()) said.say(LOADED);
  const input = h("input", { id, type: "file", accept: ".pem,.key,.txt,application/x-pem-file" });
  input.addEventListener("change", async () => {
    const [file] = input.files;
    if (!file) return;
    let publicKey;
    try {
      publicKey = await organizationPublicKey();
      await loadPrivateKey(await file.text(), publicKey);
    } catch (error) {
      said.say(`That key cannot be used: ${error.message}.`, "error");
      return;
    } finally {
      input.value = ""; // the same file may be chosen again; nothing of it stays here
    }
    said.say(publicKey ? LOADED : LOADED + UNCHECKED);
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

/** The public key the server has for the signed-in user's organization ("" when none). */
async function organizationPublicKey() {
  const user = await currentUser();
  const organization = await api.get(`/organization/${user.organization.id}`);
  return organization.public_key ?? "";
}

session.onChange((reason) => {
  if (reason !== "signed-in") forgetPrivateKey();
});
