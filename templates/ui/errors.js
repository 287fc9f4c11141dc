"use strict";
// One place that turns API errors into clear messages (the 409 of an edit is the ticket's own).

import { showNotice } from "./dom.js";

export const SIGNED_OUT = "helpdesk:signed-out";

const GENERIC = {
  0: "Network error: the helpdesk could not be reached. Check your connection and try again.",
  403: "Your role may not do this.",
  404: "Not found: it may have been removed, or the address is wrong.",
  409: "Someone else changed this first. Reload to see the current state.",
  413: "Too large: the text is over the size limit. Shorten it or split it in two.",
};

export function reportError(error, form) {
  if (error.status === 401) {
    window.dispatchEvent(new CustomEvent(SIGNED_OUT, {
      detail: "Your session has ended or the token is not valid. Please sign in again.",
    }));
    return;
  }
  if (error.status === 400) {
    // The API's message names its field first ("from: …"): say it once.
    const field = error.field || "the input";
    const message = String(error.message || "");
    const problem = message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
    showNotice(`Please check ${field}: ${problem}`);
    markField(form, error.field);
    return;
  }
  const known = GENERIC[error.status];
  const detail = error.status && error.message ? ` (${error.message})` : "";
  if (known) showNotice(known + detail);
  else if (error.status >= 500) showNotice(`The helpdesk had a problem (HTTP ${error.status}). Try again.`);
  else showNotice(error.message || String(error));
}

function markField(form, name) {
  const control = form && name ? form.elements.namedItem(name) : null;
  if (!(control instanceof HTMLElement)) return;
  control.setAttribute("aria-invalid", "true");
  control.addEventListener("input", () => control.removeAttribute("aria-invalid"), { once: true });
  control.focus();
}
