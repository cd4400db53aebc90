// The configuration file of a newly registered node (or one with a new API key) for `vnode
// start <file>`. The server renders it as `vnode new` does (vantage6.server.ui.node_file),
// with a placeholder where the key goes: the key stays in this page, which fills it in. It
// loads as it is; what only the node's owner knows (their data) is a placeholder to fill in.

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/; // [node] name, as vantage6.node.config checks
const KEY = "{{api_key}}"; // API_KEY_PLACEHOLDER in vantage6.server.ui.node_file

/** [node] name and the file's name: the node's name in the characters a node name allows. */
export function configName(node) {
  const name = node.name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "") // the accents NFKD took apart: "é" becomes "e"
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[^a-z0-9]+|-+$/g, "")
    .slice(0, 63);
  return NAME.test(name) ? name : `node-${Number(node.id)}`;
}

/** The file name to save the configuration as. */
export function configFileName(node) {
  return `${configName(node)}.ini`;
}

/**
 * The ini text for `node` ({id, name}) with `apiKey`; `encrypted` is the collaboration's
 * setting (null when it could not be read). The server is where this page came from, at the
 * address its users reach it by (the server may be behind a proxy).
 */
export async function nodeConfig({ node, apiKey, encrypted, signal }) {
  const address = new URL("node.ini", document.baseURI);
  address.search = new URLSearchParams({
    name: configName(node),
    server_url: location.origin,
    collaboration_encrypted: typeof encrypted === "boolean" ? String(encrypted) : "unknown",
  }).toString();
  const response = await fetch(address, { signal, credentials: "omit", cache: "no-cache" });
  if (!response.ok) throw new Error(`The server did not make the file (${response.status}).`);
  const parts = (await response.text()).split(KEY);
  if (parts.length !== 2) throw new Error("The server's file has no one place for the key.");
  return parts.join(apiKey); // not replace(): "$" in a key would be a pattern there
}
