// One node: what it is and whether it is online, and, as the user's rules allow, renaming
// it, giving it a new API key (shown here once, with its configuration file) and deleting it.

import * as api from "../core/api.js";
import { details, h, replace } from "../core/dom.js";
import { field, outcome, sendingForm, valueOf, whileBusy } from "../parts/forms.js";
import { newKey } from "../parts/node-key.js";
import { mayHoldKey } from "../access/node-rules.js";
import { lastSeen, statusTag } from "../parts/node-status.js";
import { settle } from "../parts/offers.js";
import { myPermissions } from "../access/permissions.js";
import { deleteOffer, named, recordPage } from "../parts/record-page.js";
import { fill, quiet } from "../core/states.js";

export default {
  title: "Node",
  public: false,
  async render({ main, args, signal }) {
    const path = `/node/${encodeURIComponent(args.id)}`;
    const said = outcome();
    const work = h("div", { class: "node-work" }); // renaming or the key reset, when asked
    const key = h("div"); // the new API key, once
    const about = h("div", { class: "card about" });
    const { heading, actions } = recordPage(
      main,
      { list: "nodes", title: "Node", attributes: { tabindex: "-1" } },
      said,
      work,
      key,
      about,
    );
    const loaded = await fill(
      about,
      "the node",
      async () => {
        const [node, permissions] = await Promise.all([api.get(path, { signal }), myPermissions()]);
        return { node, permissions, ...(await related(node, permissions, signal)) };
      },
      describe,
    );
    settle(actions);
    if (!loaded) return;
    const { node, permissions } = loaded;
    const organization = Number(node.organization.id);
    const encrypted = loaded.collaboration?.encrypted;
    const nameNode = (name) => {
      node.name = name;
      named(heading, name);
    };
    // Drawn again after renaming, so that the deletion names the node as it is called now.
    const offer = () =>
      replace(
        actions,
        permissions.may("edit", "node", { organization })
          ? renameButton({ node, path, work, onRenamed })
          : null,
        mayHoldKey(permissions, "edit", organization)
          ? resetButton({ node, work, key, encrypted, signal })
          : null,
        permissions.may("delete", "node", { organization })
          ? deleteOffer({ kind: "node", id: Number(node.id), name: node.name, path })
          : null,
      );
    function onRenamed(name) {
      nameNode(name);
      replace(about, describe(loaded));
      offer();
      said.say(`The node was renamed to “${name}”.`);
      heading.focus();
    }
    nameNode(node.name);
    offer();
  },
};

/** The node's organization and collaboration, as far as the user may see them. */
async function related(node, permissions, signal) {
  const [organization, collaboration] = await Promise.all(
    ["organization", "collaboration"].map((resource) =>
      permissions.holds("view", resource)
        ? api.get(`/${resource}/${Number(node[resource].id)}`, { signal }).catch((error) => {
            if (quiet(error)) throw error;
            return null; // out of the user's reach: the page names it by id
          })
        : null,
    ),
  );
  return { organization, collaboration };
}

function describe({ node, organization, collaboration }) {
  const linked = (resource, found, what) => {
    const id = Number(node[resource].id);
    return h("a", { href: `#/${resource}s/${id}` }, found?.name ?? `${what} ${id}`);
  };
  return details([
    ["Name", node.name],
    ["Status", statusTag(node.status)],
    ["Last seen", lastSeen(node.last_seen)],
    ["Organization", linked("organization", organization, "Organization")],
    ["Collaboration", linked("collaboration", collaboration, "Collaboration")],
    ["VPN address", node.ip],
    ["Id", String(node.id)],
  ]);
}

/** "Rename", which opens a form in `work`; onRenamed(name) once the server has saved it
 * (and the form is gone). */
function renameButton({ node, path, work, onRenamed }) {
  const start = h("button", { type: "button", class: "secondary" }, "Rename");
  start.addEventListener("click", () => {
    const name = field("node-new-name", "New name", {
      value: node.name,
      required: true,
      maxlength: 128,
    });
    const cancel = h("button", { type: "button", class: "secondary" }, "Cancel");
    const { form } = sendingForm({
      attributes: { class: "card form-card", "aria-label": "Rename the node" },
      children: [name],
      submit: "Save name",
      working: "Saving…",
      buttons: [cancel],
      async send() {
        const body = { name: valueOf(name).trim() };
        const sent = await api.request("PATCH", path, { body });
        replace(work);
        onRenamed(sent.answer.name);
      },
    });
    cancel.addEventListener("click", () => {
      replace(work);
      start.focus();
    });
    replace(work, form);
    form.querySelector("input").select();
  });
  return start;
}

/** "Reset API key", which asks first (the node's key stops working at once), then shows
 * the new key in `key`. */
function resetButton({ node, work, key, encrypted, signal }) {
  const start = h("button", { type: "button", class: "secondary" }, "Reset API key");
  start.addEventListener("click", () => {
    const question = h("p", { class: "question", tabindex: "-1" }, "Give the node a new API key?");
    const problem = h("div");
    const confirm = h("button", { type: "button", class: "danger" }, "Yes, reset the API key");
    const cancel = h("button", { type: "button", class: "secondary" }, "Cancel");
    const box = h(
      "div",
      { class: "confirm", role: "group", "aria-label": "Confirm key reset" },
      question,
      h(
        "p",
        {},
        "The current key stops working at once: the node cannot log in until it is started " +
          "with the new one.",
      ),
      problem,
      h("div", { class: "actions" }, confirm, cancel),
    );
    cancel.addEventListener("click", () => {
      replace(work);
      start.focus();
    });
    confirm.addEventListener("click", async () => {
      replace(problem);
      let sent;
      try {
        sent = await whileBusy(box, confirm, "Resetting…", () =>
          api.request("POST", "/recover/node", { body: { id: Number(node.id) } }),
        );
      } catch (error) {
        if (!quiet(error)) {
          replace(problem, h("p", { class: "error", role: "alert" }, error.message));
        }
        return;
      }
      replace(work);
      replace(key, newKey({ node, apiKey: sent.answer.api_key, encrypted, signal }));
      document.getElementById("new-key-heading").focus();
    });
    replace(work, box);
    question.focus();
  });
  return start;
}
