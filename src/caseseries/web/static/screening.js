// Screening pages: keyboard decisions on the queue, live PRISMA counts. No third-party code.
"use strict";

(function () {
  const cs = window.caseseries;
  const queue = document.getElementById("queue");
  const countsBox = document.getElementById("prisma-counts");

  async function refreshCounts() {
    if (!countsBox) { return; }
    try {
      const counts = await cs.getJson(countsBox.dataset.countsUrl);
      countsBox.querySelectorAll("[data-count]").forEach(function (cell) {
        const value = counts[cell.dataset.count];
        if (value !== undefined) { cell.textContent = String(value); }
      });
    } catch (e) { /* the next refresh tries again */ }
  }
  if (countsBox) { window.setInterval(refreshCounts, 10000); }
  if (!queue) { return; }

  const reasons = JSON.parse(document.getElementById("reasons-data").textContent || "{}");
  const picker = document.getElementById("reason-picker");
  const help = document.getElementById("help");
  const canWrite = queue.dataset.canWrite === "yes";
  let current = 0;
  let pending = null; // {card, decision, options}
  let saving = false;

  function cards() { return Array.from(queue.querySelectorAll("article.record")); }

  function focusCard(index) {
    const all = cards();
    if (all.length === 0) { return; }
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (c, i) { c.classList.toggle("current", i === current); });
    all[current].focus({ preventScroll: true });
    all[current].scrollIntoView({ block: "nearest" });
  }

  function nextUndecided() {
    const all = cards();
    for (let i = current + 1; i < all.length; i++) {
      if (!all[i].classList.contains("decided")) { return i; }
    }
    return -1;
  }

  function openPicker(card, decision) {
    if (!canWrite) { cs.say("A viewer cannot decide.", true); return; }
    const options = (reasons[decision] || []).slice();
    if (card.dataset.suggested === decision && card.dataset.suggestedReason) {
      const i = options.indexOf(card.dataset.suggestedReason);
      if (i > 0) { options.splice(i, 1); }
      if (i !== 0) { options.unshift(card.dataset.suggestedReason); }
    }
    pending = { card: card, decision: decision, options: options };
    document.getElementById("reason-decision").textContent = decision;
    const list = document.getElementById("reason-list");
    list.replaceChildren();
    options.forEach(function (text, i) {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = (i + 1) + ". " + text;
      button.addEventListener("click", function () { save(text); });
      li.appendChild(button);
      list.appendChild(li);
    });
    document.getElementById("reason-own").value = "";
    picker.hidden = false;
  }

  function closePicker() { picker.hidden = true; pending = null; }

  async function save(reason) {
    if (!pending || saving) { return; }
    const item = pending;
    closePicker();
    saving = true;
    cs.say("Saving…");
    try {
      const done = await cs.post(queue.dataset.decideUrl, {
        key: item.card.dataset.key, stage: queue.dataset.stage, decision: item.decision, reason: reason || null,
      });
      item.card.classList.add("decided");
      item.card.dataset.decision = done.decision;
      const mine = item.card.querySelector(".mine");
      mine.textContent = "Your decision: " + done.decision + (done.reason ? " (" + done.reason + ")" : "");
      mine.className = "mine decision-" + done.decision;
      cs.say("Saved: " + done.decision + (done.reason ? " (" + done.reason + ")" : "") + " · " + done.key);
      refreshCounts();
      const next = nextUndecided();
      if (next >= 0) { focusCard(next); } else { cs.say("Page done: loading the next records…"); window.location.reload(); }
    } catch (err) {
      cs.say("Not saved: " + err.message, true);
    } finally {
      saving = false;
    }
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    const typing = ev.target && (ev.target.tagName === "INPUT" || ev.target.tagName === "TEXTAREA" || ev.target.tagName === "SELECT");
    if (!picker.hidden) {
      if (ev.key === "Escape") { closePicker(); ev.preventDefault(); return; }
      if (ev.key === "Enter") {
        const own = document.getElementById("reason-own").value.trim();
        save(own || (pending.options[0] || null)); ev.preventDefault(); return;
      }
      if (!typing && /^[1-9]$/.test(ev.key)) {
        const text = pending.options[Number(ev.key) - 1];
        if (text) { save(text); }
        ev.preventDefault();
      }
      return;
    }
    if (typing) { return; }
    if (!help.hidden) { if (ev.key === "Escape" || ev.key === "?") { help.hidden = true; ev.preventDefault(); } return; }
    const all = cards();
    const card = all[current];
    switch (ev.key) {
      case "j": focusCard(current + 1); break;
      case "k": focusCard(current - 1); break;
      case "i": if (card) { openPicker(card, "include"); } break;
      case "e": if (card) { openPicker(card, "exclude"); } break;
      case "m": if (card) { openPicker(card, "maybe"); } break;
      case "o": if (card) { card.querySelector("a").click(); } break;
      case "?": help.hidden = false; break;
      default: return;
    }
    ev.preventDefault();
  });

  queue.addEventListener("click", function (ev) {
    const button = ev.target.closest("button.decide");
    if (!button) { return; }
    const card = button.closest("article.record");
    focusCard(cards().indexOf(card));
    openPicker(card, button.dataset.decision);
  });

  focusCard(0);
})();
