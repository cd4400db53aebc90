// A run's result as the server stores it, decoded as the Python client decodes it
// (vantage6.client.payload.decode): base64 in an unencrypted collaboration, encrypted for the
// organization that created the task in an encrypted one; then the JSON it holds, or its
// bytes when it is not JSON. The node writes what the algorithm returned with json.dumps
// (vantage6.algorithm.call.encode_result), so NaN and ±Infinity may appear, which Python's
// json.loads reads and JSON.parse does not: they are read here too.

import { base64ToBytes, decrypt, DecryptionError, LegacyFormat } from "./crypto.js";

const SEPARATOR = "$";
// The client's hint, for the browser's key.
const OTHER_KEY_HINT = " (is the loaded private key your organization's?)";
// A JSON string or one of Python's non-standard number tokens, which json.dumps writes for
// float("nan") and float("±inf").
const STRING_OR_NON_FINITE = /"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g;

/**
 * `text` (a run's `result`) decoded: `{value}` (what the JSON holds; null while there is no
 * result) or `{bytes}` (a Uint8Array, when it is not JSON). Throws as crypto.js does when it
 * cannot be read: InvalidKey when no private key is loaded, LegacyFormat for the legacy
 * format, DecryptionError when it was tampered with or is for another key; their messages
 * then start with "The <what> cannot be decrypted: ". A run's input decodes the same way,
 * with `what: "input"`.
 */
export async function decodeResult(text, { encrypted, what = "result" }) {
  if (text === null || text === undefined) return { value: null };
  let data;
  try {
    data = encrypted ? await decrypt(text) : unencoded(text);
  } catch (error) {
    if (!(error instanceof DecryptionError)) throw error;
    const hint = encrypted && !(error instanceof LegacyFormat) ? OTHER_KEY_HINT : "";
    throw new error.constructor(`The ${what} cannot be decrypted: ${error.message}${hint}`);
  }
  const value = parsedJson(data);
  return value === NOT_JSON ? { bytes: data } : { value };
}

/** As DummyCryptor.decrypt_str_to_bytes: strict base64, never encrypted text. */
function unencoded(text) {
  if (text.includes(SEPARATOR)) {
    throw new DecryptionError(
      "the data looks encrypted ('$'-separated parts), but this collaboration is not encrypted",
    );
  }
  try {
    return base64ToBytes(text);
  } catch {
    throw new DecryptionError("the data is not valid base64");
  }
}

const NOT_JSON = Symbol("not JSON");

/** What json.loads makes of `bytes` (UTF-8, a leading BOM skipped), or NOT_JSON. */
function parsedJson(bytes) {
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return NOT_JSON;
  }
  try {
    return JSON.parse(text);
  } catch {
    return withNonFinite(text);
  }
}

/** JSON with NaN, Infinity and -Infinity as numbers: each such token becomes a string
 * carrying a random mark, turned back into its number while parsing. */
function withNonFinite(text) {
  const mark = `\u0000${crypto.randomUUID()}:`;
  const marked = text.replace(STRING_OR_NON_FINITE, (token) =>
    token.startsWith('"') ? token : JSON.stringify(mark + token),
  );
  try {
    return JSON.parse(marked, (key, value) => {
      if (key.startsWith(mark)) throw new SyntaxError("a number is no key"); // as json.loads
      return typeof value === "string" && value.startsWith(mark)
        ? Number(value.slice(mark.length))
        : value;
    });
  } catch {
    return NOT_JSON;
  }
}
