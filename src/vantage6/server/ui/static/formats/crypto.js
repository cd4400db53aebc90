// End-to-end encryption of task input and results, with WebCrypto, in the format of
// vantage6.common.encryption's RSACryptor (version "v6e1"):
//
//     v6e1$<b64 wrapped key>$<b64 nonce>$<b64 ciphertext and GCM tag>
//
// A fresh AES-256-GCM key encrypts each message under a random 12-byte nonce; RSA-OAEP
// (SHA-256, MGF1-SHA-256) wraps that key for the recipient; all text up to and including the
// last "$" is the GCM associated data, so changing any part fails decryption.
//
// The organization's private key lives in this module's memory only, as a non-extractable
// CryptoKey: it is never sent, stored, or readable by other code, and is gone with the page.

const VERSION = "v6e1";
const SEPARATOR = "$";
const MIN_KEY_BITS = 2048;
const AES_KEY_BYTES = 32;
const GCM_NONCE_BYTES = 12;
const OAEP = { name: "RSA-OAEP", hash: "SHA-256" };
const PEM = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const LEGACY =
  "the data is in the legacy encryption format of vantage6 4.x and older (RSA PKCS#1 v1.5 + " +
  "AES-CTR), which browsers cannot decrypt; the Python client reads it " +
  "(client.setup_encryption with your organization's private key)";

let privateKey = null;

/** A private or public key that cannot be used (missing, not RSA, too small, unreadable). */
export class InvalidKey extends Error {
  name = "InvalidKey";
}

/** A message that cannot be read: tampered with, cut short, malformed, or for another key. */
export class DecryptionError extends Error {
  name = "DecryptionError";
}

/** A message in the legacy format, which WebCrypto cannot open (no RSA PKCS#1 v1.5). */
export class LegacyFormat extends DecryptionError {
  name = "LegacyFormat";
}

/**
 * Use `pem` (the text of the organization's private key file) from now on, instead of any
 * key before; InvalidKey when it cannot be used, and the key before stays. Takes PKCS#1
 * ("BEGIN RSA PRIVATE KEY", what `vnode create-private-key` writes) and PKCS#8 ("BEGIN
 * PRIVATE KEY"). With `publicKeyB64` (the organization's public key, as the server has it)
 * the key must be its private half: else it would load, and fail on every result.
 */
export async function loadPrivateKey(pem, publicKeyB64 = null) {
  const { label, der, encrypted } = pemBlock(pem);
  if (encrypted || label === "ENCRYPTED PRIVATE KEY") {
    throw new InvalidKey("the private key is password-protected; use one without");
  }
  if (label !== "RSA PRIVATE KEY" && label !== "PRIVATE KEY") {
    throw new InvalidKey(`the file holds a ${label.toLowerCase()}, not a private key`);
  }
  let key;
  try {
    const pkcs8 = label === "RSA PRIVATE KEY" ? pkcs1ToPkcs8(der) : der;
    key = await crypto.subtle.importKey("pkcs8", pkcs8, OAEP, false, ["decrypt"]);
  } catch {
    throw new InvalidKey("the file is not a readable RSA private key");
  }
  usable(key, "the private key");
  if (publicKeyB64 && !(await pairedWith(key, publicKeyB64))) {
    throw new InvalidKey(
      "it is not your organization's key: it does not match the public key the server has " +
        "for your organization",
    );
  }
  privateKey = key;
}

/** For signing out: the key is gone from the page. */
export function forgetPrivateKey() {
  privateKey = null;
}

export function hasPrivateKey() {
  return privateKey !== null;
}

/** `data` (bytes) encrypted for the organization whose public key (base64 of its PEM, as the
 * server has it) is given: the text RSACryptor.decrypt_str_to_bytes opens. */
export async function encryptFor(data, publicKeyB64) {
  const recipient = await publicKey(publicKeyB64);
  const raw = crypto.getRandomValues(new Uint8Array(AES_KEY_BYTES));
  const nonce = crypto.getRandomValues(new Uint8Array(GCM_NONCE_BYTES));
  const wrapped = await crypto.subtle.encrypt(OAEP, recipient, raw);
  const header = [VERSION, bytesToBase64(wrapped), bytesToBase64(nonce), ""].join(SEPARATOR);
  const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt"]);
  const gcm = { name: "AES-GCM", iv: nonce, additionalData: ascii(header) };
  return header + bytesToBase64(await crypto.subtle.encrypt(gcm, key, data));
}

/** The bytes of `data`, as RSACryptor.encrypt_bytes_to_str made it for this organization, with
 * the loaded private key; DecryptionError (LegacyFormat for the legacy format) or InvalidKey
 * (no key loaded) instead of any bytes when it cannot be read. */
export async function decrypt(data) {
  const parts = data.split(SEPARATOR);
  if (parts[0] === VERSION) return open(data, parts);
  if (parts.length === 3) throw new LegacyFormat(LEGACY);
  if (parts.length === 4) {
    throw new DecryptionError(`unsupported encryption format version "${parts[0].slice(0, 16)}"`);
  }
  if (parts.length === 1) {
    throw new DecryptionError("the data is not encrypted ('$'-separated parts expected)");
  }
  throw new DecryptionError(
    `malformed encrypted data: ${parts.length} '$'-separated parts, expected ` +
      `4 (${VERSION}$key$nonce$ciphertext) or 3 (legacy key$iv$ciphertext)`,
  );
}

/** Base64 of bytes (an ArrayBuffer or a typed array). */
export function bytesToBase64(bytes) {
  const view = ArrayBuffer.isView(bytes)
    ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : new Uint8Array(bytes);
  let binary = "";
  const CHUNK = 0x8000; // String.fromCharCode takes its arguments on the stack
  for (let start = 0; start < view.length; start += CHUNK) {
    binary += String.fromCharCode(...view.subarray(start, start + CHUNK));
  }
  return btoa(binary);
}

/** The bytes of base64 `text`; strict, as base64s_to_bytes: no whitespace, correct padding. */
export function base64ToBytes(text) {
  if (!BASE64.test(text)) throw new SyntaxError("not valid base64");
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

async function open(data, parts) {
  if (parts.length !== 4) {
    throw new DecryptionError(
      `malformed ${VERSION} data: ${parts.length} '$'-separated parts, expected 4`,
    );
  }
  const [wrapped, nonce, sealed] = decodeAll(parts.slice(1), ["key", "nonce", "ciphertext"]);
  const raw = await unwrap(wrapped);
  if (raw.length !== AES_KEY_BYTES) {
    throw new DecryptionError(`message key is ${raw.length} bytes, expected ${AES_KEY_BYTES}`);
  }
  if (nonce.length !== GCM_NONCE_BYTES) {
    throw new DecryptionError(`nonce is ${nonce.length} bytes, expected ${GCM_NONCE_BYTES}`);
  }
  const header = data.slice(0, data.lastIndexOf(SEPARATOR) + 1);
  const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["decrypt"]);
  const gcm = { name: "AES-GCM", iv: nonce, additionalData: ascii(header) };
  try {
    return new Uint8Array(await crypto.subtle.decrypt(gcm, key, sealed));
  } catch {
    throw new DecryptionError("the data was tampered with or corrupted (authentication failed)");
  }
}

async function unwrap(wrapped) {
  if (privateKey === null) {
    throw new InvalidKey("no private key is loaded: load your organization's private key first");
  }
  try {
    return new Uint8Array(await crypto.subtle.decrypt(OAEP, privateKey, wrapped));
  } catch {
    throw new DecryptionError(
      "cannot decrypt the message key: the data was encrypted for another organization's " +
        "key, or was tampered with",
    );
  }
}

function decodeAll(parts, names) {
  return parts.map((part, index) => {
    try {
      return base64ToBytes(part);
    } catch {
      throw new DecryptionError(`the ${names[index]} is not valid base64`);
    }
  });
}

/** Whether `key` opens what is sealed for `publicKeyB64`: a random probe, there and back. */
async function pairedWith(key, publicKeyB64) {
  const probe = crypto.getRandomValues(new Uint8Array(AES_KEY_BYTES));
  const sealed = await crypto.subtle.encrypt(OAEP, await publicKey(publicKeyB64), probe);
  try {
    const opened = new Uint8Array(await crypto.subtle.decrypt(OAEP, key, sealed));
    return opened.every((byte, index) => byte === probe[index]);
  } catch {
    return false;
  }
}

async function publicKey(publicKeyB64) {
  if (!publicKeyB64) throw new InvalidKey("the recipient organization has no public key");
  let key;
  try {
    const { der } = pemBlock(new TextDecoder().decode(base64ToBytes(publicKeyB64)));
    key = await crypto.subtle.importKey("spki", der, OAEP, false, ["encrypt"]);
  } catch {
    throw new InvalidKey("the recipient's public key is not base64 of a PEM RSA public key");
  }
  return usable(key, "the recipient's public key");
}

function usable(key, what) {
  const bits = key.algorithm.modulusLength;
  if (bits < MIN_KEY_BITS) {
    throw new InvalidKey(`${what} has ${bits} bits; at least ${MIN_KEY_BITS} are required`);
  }
  return key;
}

/** The first PEM block of `text`: its label, its DER bytes, and whether it is encrypted (the
 * "Proc-Type: 4,ENCRYPTED" header of a password-protected PKCS#1 key). */
function pemBlock(text) {
  const match = PEM.exec(text);
  if (!match) throw new InvalidKey("the file is not a PEM key (no -----BEGIN ...----- line)");
  const [, label, body] = match;
  if (/Proc-Type:\s*4,ENCRYPTED/.test(body)) return { label, der: null, encrypted: true };
  try {
    return { label, der: base64ToBytes(body.replace(/\s+/g, "")), encrypted: false };
  } catch {
    throw new InvalidKey(`the ${label.toLowerCase()} in the file is not valid base64`);
  }
}

// WebCrypto imports private keys as PKCS#8 only, but `vnode create-private-key` writes PKCS#1
// (RSAPrivateKey, "BEGIN RSA PRIVATE KEY"). PKCS#8 (RFC 5208 PrivateKeyInfo) merely wraps it:
//
//     SEQUENCE { INTEGER 0, SEQUENCE { OID 1.2.840.113549.1.1.1 (rsaEncryption), NULL },
//                OCTET STRING { <the PKCS#1 key> } }
//
// so three DER headers in front of the unchanged key make it importable.
const PKCS8_VERSION = [0x02, 0x01, 0x00];
const RSA_ENCRYPTION = [
  0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];
const SEQUENCE = 0x30;
const OCTET_STRING = 0x04;

function pkcs1ToPkcs8(pkcs1) {
  const key = derElement(OCTET_STRING, pkcs1);
  return derElement(SEQUENCE, [...PKCS8_VERSION, ...RSA_ENCRYPTION, ...key]);
}

/** A DER element: tag, length (short form below 128, else 0x80 + its byte count, then the
 * bytes, big-endian), content. */
function derElement(tag, content) {
  const length = [];
  for (let rest = content.length; rest > 0; rest = Math.floor(rest / 256)) {
    length.unshift(rest % 256);
  }
  const header = content.length < 0x80 ? [content.length] : [0x80 | length.length, ...length];
  return Uint8Array.from([tag, ...header, ...content]);
}

function ascii(text) {
  return new TextEncoder().encode(text);
}
