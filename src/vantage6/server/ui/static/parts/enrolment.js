// Setting up two-factor authentication at the first sign-in: the server's new secret as a QR
// code to scan, and as a link and a secret to type.

import { qrUrl } from "../core/config.js";
import { h } from "../core/dom.js";

/** The enrolment instructions for the server's answer {msg, otp_secret, qr_uri}. */
export function enrolment(answer) {
  const image = h("img", {
    class: "qr",
    alt: "QR code of the secret, for an authenticator app",
    width: 200,
    height: 200,
  });
  const figure = h("figure", { class: "qr-frame", "aria-busy": "true" }, image);
  drawQrCode(answer.qr_uri).then(
    (source) => {
      image.src = source;
      figure.removeAttribute("aria-busy");
    },
    () => {
      const problem = "The QR code could not be drawn: enter the secret instead.";
      figure.replaceChildren(h("p", { class: "error" }, problem));
    },
  );
  return h(
    "section",
    { class: "enrolment", "aria-labelledby": "enrolment-heading" },
    h("h2", { id: "enrolment-heading" }, "Set up two-factor authentication"),
    h("p", {}, answer.msg),
    figure,
    h("p", {}, "Secret: ", h("code", { class: "otp-secret" }, answer.otp_secret)),
    h("p", {}, "Link for an authenticator app: ", h("code", { class: "otp-uri" }, answer.qr_uri)),
  );
}

/** The QR code of uri, as a data: URL of the SVG the server draws (an image: no script). */
async function drawQrCode(uri) {
  const response = await fetch(qrUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ uri }),
    credentials: "omit",
    cache: "no-store",
  });
  if (!response.ok) throw new Error(`QR code: ${response.status}`);
  const svg = await response.blob();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(svg);
  });
}
