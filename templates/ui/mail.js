"use strict";
// Mail HTML (already sanitised by the API) shown in a sandboxed iframe: no script can run there,
// and remote images stay in data-remote-src until the agent asks for them, message by message.

import { el } from "./dom.js";

// A DOMParser document has no browsing context: nothing in it runs or loads.
const inert = (html) => new DOMParser().parseFromString(html, "text/html");

// Inline images are presigned links to the message's own attachments: only their origin is
// trusted, so even an image a sanitiser bug left in place cannot load from anywhere else.
export function attachmentOrigins(attachments) {
  const urls = attachments.filter((a) => a.url).map((a) => new URL(a.url, document.baseURI));
  return [...new Set(urls.filter((u) => /^https?:$/.test(u.protocol)).map((u) => u.origin))];
}

function framePolicy(origins, remote) {
  const images = ["data:", ...origins, ...(remote ? ["https:", "http:"] : [])];
  return ["default-src 'none'", `style-src ${new URL("ui/", document.baseURI).href}`,
    "style-src-attr 'unsafe-inline'", `img-src ${images.join(" ")}`, "form-action 'none'"].join("; ");
}

function head(doc, origins, remote) {
  const policy = doc.createElement("meta");
  policy.setAttribute("http-equiv", "Content-Security-Policy");
  policy.setAttribute("content", framePolicy(origins, remote));
  const referrer = doc.createElement("meta");
  referrer.setAttribute("name", "referrer");
  referrer.setAttribute("content", "no-referrer");
  const style = doc.createElement("link");
  style.setAttribute("rel", "stylesheet");
  style.setAttribute("href", new URL("ui/mail.css", document.baseURI).href);
  doc.head.prepend(policy, referrer, style);
}

export function srcdoc(html, { remote = false, quoted = false, origins = [] } = {}) {
  const doc = inert(html);
  if (!quoted) doc.querySelectorAll("blockquote").forEach((q) => q.remove());
  for (const img of doc.querySelectorAll("img[data-remote-src]")) {
    if (remote) img.setAttribute("src", img.getAttribute("data-remote-src"));
    else img.setAttribute("alt", `[remote image${img.alt ? `: ${img.alt}` : ""}]`);
    img.removeAttribute("data-remote-src");
  }
  head(doc, origins, remote);
  return `<!doctype html>${doc.documentElement.outerHTML}`;
}

function estimateHeight(html) {
  const doc = inert(html);
  const lines = doc.body.textContent.length / 70 + doc.querySelectorAll("p,br,div,li,tr").length;
  const images = doc.querySelectorAll("img").length * 80;
  return Math.max(96, Math.min(560, Math.round(lines * 21 + images + 32)));
}

function toggle(label, onLabel, onChange) {
  const button = el("button", { type: "button", class: "quiet", "aria-pressed": "false", text: label });
  button.addEventListener("click", () => {
    const on = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", String(on));
    button.textContent = on ? onLabel : label;
    onChange(on);
  });
  return button;
}

export function mailView(html, title, origins) {
  const doc = inert(html);
  const options = { remote: false, quoted: false, origins };
  const frame = el("iframe", {
    class: "mail-frame", title, sandbox: "allow-popups allow-popups-to-escape-sandbox",
    referrerpolicy: "no-referrer",
  });
  frame.style.height = `${estimateHeight(html)}px`;
  const redraw = () => { frame.srcdoc = srcdoc(html, options); };
  const tools = el("div", { class: "mail-tools" });
  if (doc.querySelector("blockquote")) {
    tools.append(toggle("Show quoted text", "Hide quoted text", (on) => { options.quoted = on; redraw(); }));
  }
  if (doc.querySelector("img[data-remote-src]")) {
    const load = el("button", { type: "button", class: "quiet", text: "Load remote images" });
    load.addEventListener("click", () => {
      options.remote = true;
      redraw();
      load.disabled = true;
      load.textContent = "Remote images loaded";
    });
    tools.append(load);
  }
  redraw();
  return el("div", { class: "mail-html" }, frame, tools.childElementCount ? tools : null);
}
