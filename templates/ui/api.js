"use strict";
// The JSON API: the bearer token from sessionStorage, errors as ApiError (status 0: network).

const TOKEN_KEY = "helpdesk.token";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.error;
    this.field = body && body.field;
    this.current = body && body.current;
  }
}

export function token() {
  return window.sessionStorage.getItem(TOKEN_KEY);
}

export function saveToken(value) {
  window.sessionStorage.setItem(TOKEN_KEY, value);
}

export function forgetToken() {
  window.sessionStorage.removeItem(TOKEN_KEY);
}

export async function call(method, path, body, extraHeaders = {}) {
  const headers = {
    ...extraHeaders, Accept: "application/json", Authorization: `Bearer ${token() || ""}`,
  };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    // Relative to the page, so the UI works under an API Gateway stage prefix too.
    response = await fetch(`api/${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit", cache: "no-store",
    });
  } catch (e) {
    throw new ApiError(0, { error: "network", message: "The helpdesk could not be reached." });
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const get = (path) => call("GET", path);

// A route this stage does not have: 404, or API Gateway's (and Chalice local's) 403 for an
// unknown path, which carries none of the API's own error codes.
export function isMissingRoute(error) {
  return error.status === 404 || (error.status === 403 && !error.code);
}

// A CSV the API makes (format=csv): fetched with the token like every call, then saved from a
// Blob, because a plain link could not carry the Authorization header.
export async function download(path, fallbackName) {
  let response;
  try {
    response = await fetch(`api/${path}`, {
      headers: { Accept: "text/csv", Authorization: `Bearer ${token() || ""}` },
      credentials: "omit", cache: "no-store",
    });
  } catch (e) {
    throw new ApiError(0, { error: "network", message: "The helpdesk could not be reached." });
  }
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  const disposition = response.headers.get("Content-Disposition") || "";
  const named = disposition.match(/filename="?([^";]+)"?/);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = named ? named[1] : fallbackName;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return link.download;
}
export const post = (path, body = {}, headers = {}) => call("POST", path, body, headers);
export const patch = (path, body) => call("PATCH", path, body);

export function query(params) {
  const pairs = Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== "");
  return new URLSearchParams(pairs).toString();
}

// One per reply draft: a retried send (double click, lost answer) never mails the customer twice.
export function idempotencyKey() {
  if (window.crypto.randomUUID) return window.crypto.randomUUID();
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
