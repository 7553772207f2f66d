// caseseries web app: helpers shared by every page (no third-party code).
"use strict";

window.caseseries = (function () {
  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // POST JSON with the session's CSRF token; resolves to the parsed JSON answer or throws.
  async function post(url, data) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken(), "Accept": "application/json" },
      body: JSON.stringify(data || {}),
    });
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      const message = body && body.error ? body.error : ("request failed (" + response.status + ")");
      throw new Error(message);
    }
    return body;
  }

  // GET JSON (same origin, with the session cookie).
  async function getJson(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } });
    if (!response.ok) { throw new Error("request failed (" + response.status + ")"); }
    return response.json();
  }

  // Show a short message in the page's status line (an element with id "status").
  function say(text, isError) {
    const el = document.getElementById("status");
    if (!el) { return; }
    el.textContent = text;
    el.classList.toggle("error", Boolean(isError));
  }

  return { csrfToken: csrfToken, post: post, getJson: getJson, say: say };
})();
