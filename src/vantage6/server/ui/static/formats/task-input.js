// A task's input as the Python client sends it (vantage6.client.payload.encrypt_input): the
// text Python's json.dumps makes of {"method", "args", "kwargs"}, and for each organization
// base64 of it, or in an encrypted collaboration that text encrypted for the organization's
// public key. Byte for byte the client's, so an algorithm receives the same input whichever
// way the task was made.

import { bytesToBase64, encryptFor, hasPrivateKey, InvalidKey } from "./crypto.js";

// As vantage6.algorithm.call reads the method: a public Python identifier.
const IDENTIFIER = /^[\p{XID_Start}_]\p{XID_Continue}*$/u;
// json.dumps escapes all but printable ASCII (ensure_ascii), these in short form.
const UNPRINTABLE = /[\\"]|[^ -~]/g;
const SHORT_ESCAPES = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};
const MEMBER = /^[A-Za-z_$][\w$]*$/;

/** The input cannot be sent: the message says which value and why. */
export class TaskInputError extends Error {
  name = "TaskInputError";
}

/**
 * The bytes the client sends for `{method, args, kwargs}` (args default to [], kwargs to {}):
 * `json.dumps({"method": ..., "args": ..., "kwargs": ...}).encode()`. TaskInputError when
 * the algorithm could not call it, or a value is not JSON.
 */
export function inputBytes({ method, args = [], kwargs = {} }) {
  if (typeof method !== "string" || !method) {
    throw new TaskInputError("The input names no method to call");
  }
  if (method.startsWith("_") || !IDENTIFIER.test(method)) {
    throw new TaskInputError(`"${method}" is not the name of a public function`);
  }
  if (!Array.isArray(args)) throw new TaskInputError("The arguments (args) must be a list");
  if (!isPlainObject(kwargs)) {
    throw new TaskInputError("The keyword arguments (kwargs) must be an object");
  }
  const text =
    `{"method": ${string(method)}, "args": ${json(args, "args", new Set())}, ` +
    `"kwargs": ${json(kwargs, "kwargs", new Set())}}`;
  return new TextEncoder().encode(text);
}

/**
 * The `organizations` of POST /task: `[{id, input}]` for each of `organizations` (records
 * with `id`, and `public_key` and `name` when `encrypted`), the input encrypted for each
 * organization's public key when the collaboration is `encrypted`. As the client, an
 * encrypted collaboration takes the organization's private key loaded first (crypto.js), to
 * read the results.
 */
export async function organizationInputs(input, { organizations, encrypted, formats = [] }) {
  const data = inputBytes(input);
  if (!encrypted) return organizations.map(({ id }) => ({ id, input: bytesToBase64(data) }));
  if (!hasPrivateKey()) {
    throw new TaskInputError(
      "The collaboration is encrypted: first load your organization's private key, with " +
        "which its results are read",
    );
  }
  refuseLegacyReaders(organizations, formats);
  return Promise.all(organizations.map((organization) => sealedFor(data, organization)));
}

/** A vantage6 4.x node reads only the legacy format of 4.x, which no browser can write
 * (WebCrypto has no RSA PKCS#1 v1.5 encryption). `formats`: the collaboration's
 * `encryption_formats`, what each member's node told the server it reads. */
function refuseLegacyReaders(organizations, formats) {
  const legacyOnly = new Set(
    formats
      .filter(({ formats: read }) => read?.length === 1 && read[0] === "legacy")
      .map(({ organization_id: id }) => id),
  );
  const old = organizations.filter(({ id }) => legacyOnly.has(id));
  if (old.length === 0) return;
  const names = old.map(({ id, name }) => (name ? `"${name}"` : String(id))).join(", ");
  throw new TaskInputError(
    `The node of organization ${names} is a vantage6 4.x node, which reads only the legacy ` +
      "encryption format, and browsers cannot write it. Create this task with the Python " +
      "client (client.setup_encryption(<private key>, allow_legacy=True)), or leave that " +
      "organization out",
  );
}

async function sealedFor(data, { id, name, public_key: publicKey }) {
  const who = name ? `Organization "${name}"` : `Organization ${id}`;
  if (!publicKey) {
    throw new TaskInputError(
      `${who} has no public key on the server, so no input can be encrypted for it (its ` +
        "node uploads one when it starts with encryption on)",
    );
  }
  try {
    return { id, input: await encryptFor(data, publicKey) };
  } catch (error) {
    if (error instanceof InvalidKey) throw new TaskInputError(`${who}: ${error.message}`);
    throw error;
  }
}

/** `value` as json.dumps writes it; `path` names it in errors, `within` holds the arrays and
 * objects it is inside of, to refuse a value that contains itself. */
function json(value, path, within) {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return String(value);
    case "string":
      return string(value);
    case "number":
      return number(value, path);
    case "object":
      break;
    case "undefined":
      throw new TaskInputError(`${path} is undefined, which JSON cannot hold`);
    default:
      throw new TaskInputError(`${path} is a ${typeof value}, which JSON cannot hold`);
  }
  if (within.has(value)) throw new TaskInputError(`${path} contains itself`);
  within.add(value);
  let text;
  if (Array.isArray(value)) {
    const items = Array.from(value, (item, index) => json(item, `${path}[${index}]`, within));
    text = `[${items.join(", ")}]`;
  } else if (isPlainObject(value)) {
    const members = Object.entries(value).map(
      ([key, item]) => `${string(key)}: ${json(item, member(path, key), within)}`,
    );
    text = `{${members.join(", ")}}`;
  } else {
    const kind = value.constructor?.name ?? "object";
    throw new TaskInputError(`${path} is a ${kind}, which JSON cannot hold`);
  }
  within.delete(value);
  return text;
}

function string(text) {
  const escape = (char) =>
    SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
  return `"${text.replace(UNPRINTABLE, escape)}"`;
}

/**
 * A number as Python writes it. JavaScript has no int/float distinction: whole numbers that
 * are exact (safe integers) are written as ints, the rest as floats, with repr's layout:
 * the same shortest round-trip digits as JavaScript's, in exponent form below 1e-4 or from
 * 1e16 on ("1e-05", "1.5e+16"), otherwise with a decimal point ("0.0001", 2 ** 53 is
 * "9007199254740992.0").
 */
function number(value, path) {
  if (!Number.isFinite(value)) {
    throw new TaskInputError(`${path} is ${value}, which JSON cannot hold`);
  }
  if (Number.isSafeInteger(value)) return String(value);
  const [mantissa, exponentText] = Math.abs(value).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exponent = Number(exponentText);
  const sign = value < 0 ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const power = String(Math.abs(exponent)).padStart(2, "0");
    return `${sign}${digits[0]}${fraction}e${exponent < 0 ? "-" : "+"}${power}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  return `${sign}${whole}.${digits.slice(exponent + 1) || "0"}`;
}

function member(path, key) {
  return MEMBER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function isPlainObject(value) {
  if (value === null || typeof value !== "object") return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
