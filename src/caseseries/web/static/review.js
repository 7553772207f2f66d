// caseseries extraction review: click a value to mark its evidence; select text to set a value with it as evidence.
"use strict";

(function () {
  const root = document.getElementById("review");
  if (!root) { return; }
  const patient = root.dataset.patient;
  let revision = parseInt(root.dataset.revision, 10);
  const doc = document.getElementById("doc");
  let selection = null;

  function segmentsOf(indexes) {
    if (!doc) { return []; }
    return Array.from(doc.querySelectorAll(".seg.ev")).filter(function (seg) {
      return seg.dataset.spans.split(" ").some(function (i) { return indexes.indexOf(i) >= 0; });
    });
  }

  function markField(button) {
    document.querySelectorAll(".seg.active").forEach(function (s) { s.classList.remove("active"); });
    document.querySelectorAll("button.value.active").forEach(function (b) { b.classList.remove("active"); });
    button.classList.add("active");
    const indexes = button.dataset.spans ? button.dataset.spans.split(" ").filter(Boolean) : [];
    const marked = segmentsOf(indexes);
    marked.forEach(function (s) { s.classList.add("active"); });
    if (marked.length) {
      marked[0].scrollIntoView({ block: "center", behavior: "auto" });
      window.caseseries.say(button.dataset.field + ": " + marked.map(function (s) { return s.textContent; }).join(" … "));
    } else {
      window.caseseries.say(button.dataset.field + ": no evidence in the text");
    }
    const field = document.getElementById("edit-field");
    if (field) { field.value = button.dataset.field; }
  }

  document.querySelectorAll("button.value").forEach(function (b) {
    b.addEventListener("click", function () { markField(b); });
  });

  function offsetIn(node, offset) {
    const el = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    const seg = el && el.closest ? el.closest(".seg") : null;
    if (!seg || !doc.contains(seg)) { return null; }
    return parseInt(seg.dataset.start, 10) + (node.nodeType === Node.TEXT_NODE ? offset : 0);
  }

  function readSelection() {
    const sel = window.getSelection();
    if (!doc || !sel || sel.rangeCount === 0 || sel.isCollapsed) { return; }
    const range = sel.getRangeAt(0);
    const start = offsetIn(range.startContainer, range.startOffset);
    const end = offsetIn(range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) { return; }
    selection = { start: start, end: end, text: range.toString() };
    document.getElementById("selection").textContent = "\u201c" + selection.text + "\u201d (" + start + "\u2013" + end + ")";
    const value = document.getElementById("edit-value");
    if (value) { value.value = selection.text; }
  }

  if (doc) { doc.addEventListener("mouseup", readSelection); doc.addEventListener("keyup", readSelection); }

  async function send(body) {
    body.revision = revision;
    try {
      const answer = await window.caseseries.post("/api/review/" + patient + "/edit", body);
      revision = answer.revision;
      window.caseseries.say("Saved " + answer.field + ": " + (answer.old || "none") + " \u2192 " + (answer.new || "none"));
      window.location.reload();
    } catch (err) {
      window.caseseries.say(err.message, true);
    }
  }

  const editor = document.getElementById("editor");
  if (editor) {
    editor.addEventListener("submit", function (event) {
      event.preventDefault();
      const body = {
        field: document.getElementById("edit-field").value,
        action: document.getElementById("edit-action").value,
        value: document.getElementById("edit-value").value,
      };
      if (selection) { body.start = selection.start; body.end = selection.end; body.text = selection.text; }
      send(body);
    });
    document.getElementById("edit-clear-selection").addEventListener("click", function () {
      selection = null;
      document.getElementById("selection").textContent = "none";
    });
  }

  document.querySelectorAll("button.remove-line").forEach(function (b) {
    b.addEventListener("click", function () {
      if (window.confirm("Remove " + b.dataset.field + " and its evidence?")) {
        send({ field: b.dataset.field, action: "remove-line", value: "" });
      }
    });
  });
})();
