// What the server tells the page about itself, in the <meta> tags of index.html (filled in
// by vantage6.server.ui): read once, when the page loads.

function meta(name) {
  const element = document.querySelector(`meta[name="vantage6-${name}"]`);
  return element ? element.content : "";
}

/** Where the REST API is, e.g. "/api" ("" when it is at the root). */
export const apiPath = meta("api-path");

/** The server's name (vantage6.server_name), shown beside the product's. */
export const serverName = meta("server-name");

/** The message with which the server asks for a two-factor code (CODE_MISSING in token.py). */
export const codePrompt = meta("code-prompt");

/** Whether the server asks for a second factor (vantage6.two_factor_auth). */
export const twoFactor = meta("two-factor") === "true";

export const version = meta("version");

/** The address of the UI's own QR code drawing, beside this page. */
export const qrUrl = new URL("qr.svg", document.baseURI).href;
