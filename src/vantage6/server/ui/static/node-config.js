// The configuration file of a newly registered node (or one with a new API key) for `vnode
// start <file>`: this server, the key, and the rest as in node/node.ini of the sources. It
// loads as it is; what only the node's owner knows (their data) is a placeholder to fill in.

import { apiPath } from "./config.js";

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/; // [node] name, as vantage6.node.config checks

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
 * setting (null when it could not be read). The server is where this page came from.
 */
export function nodeConfig({ node, apiKey, encrypted }) {
  const name = configName(node);
  return `# vantage6 node "${name}" (node ${Number(node.id)} at ${location.origin}), made by the
# server's web interface. Start it with:  vnode start ${name}.ini
# Every setting is explained in node/node.ini of the vantage6 sources. Unknown sections or
# keys and bad values stop the node at start with a message naming them.

[node]
name = ${name}
# The API key is shown only once. Keep this file readable only by the node's user, or move
# the key to a file of its own (api_key_file) or the environment variable
# VANTAGE6_NODE_API_KEY.
api_key = ${apiKey}
# Where the node keeps each run's input and output (relative to this file's folder).
task_dir = tasks
# docker: isolated containers (the only choice for real data); process: development only.
runtime = docker

[server]
# The port is part of the URL.
url = ${location.origin}
api_path = ${apiPath || "/"}

[databases]
# Data that algorithms may read, by label: <label> = <type>:<path or URI>, with type csv,
# parquet, excel, folder, sql or other. Replace the placeholder with your data and remove
# the "#"; a file that does not exist stops the node at start.
# default = csv:/path/to/your/data.csv

[encryption]
${encryption(encrypted)}
# Refuse input and results in the legacy format of vantage6 4.x (no integrity check).
allow_legacy = false

[policies]
# Regular expressions for the WHOLE image names that may run here; empty: every image.
allowed_images =
    harbor2\\.vantage6\\.ai/demo/average
    vantage6/demo-average
# Ids of the organizations and users whose tasks may run here; empty: anyone in the
# collaboration.
allowed_organizations =
allowed_users =

[docker]
pull = missing
cpus = 2
memory = 4g
pids = 512
host_firewall = true

[proxy]
# Port of the node proxy that algorithms reach the server through; 0 picks a free one.
port = 0

[loggers]
keys = root, vantage6

[handlers]
keys = log

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = log

[logger_vantage6]
level = INFO
handlers =
qualname = vantage6

[handler_log]
class = vantage6.common.logfile.ServiceLog
kwargs = {'maxBytes': 10485760, 'backupCount': 5}
formatter = generic

[formatter_generic]
format = %(asctime)s %(levelname)-7s [%(name)s] %(message)s
datefmt = %Y-%m-%d %H:%M:%S
`;
}

/** [encryption] enabled, which must equal the collaboration's setting or the node stops. */
function encryption(encrypted) {
  if (encrypted === true) {
    return `# The collaboration is encrypted: give your organization's private key file (the
# same for all its nodes and users) and remove the "#"; the node does not start without it.
enabled = true
# private_key = /path/to/your/private_key.pem`;
  }
  if (encrypted === false) {
    return `# The collaboration is not encrypted; this must stay equal to its setting.
enabled = false`;
  }
  return `# Must equal the collaboration's "encrypted" setting, which could not be read: check it.
enabled = false`;
}
