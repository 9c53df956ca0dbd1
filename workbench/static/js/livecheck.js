// Live checking of the parameters form and the clause editor (a form with data-live-check).
//
// As the user types, the unsaved form is sent to the rule's check endpoint (debounced, the
// previous request aborted), and the answer updates the findings panel and the marks under the
// fields in place. Nothing is saved by it. The panel comes as HTML rendered on the server from
// the same Jinja macro as the page's own panel (escaped there); everything else is written with
// textContent. Without JavaScript the pages work as before: the panel shows the saved revision.
"use strict";

(function () {
  const DELAY_MS = 500;

  function start(form) {
    const panel = document.getElementById("findings");
    const status = panel && panel.querySelector("[data-live-status]");
    if (!panel || !status) return;
    // The status line says when a check is done; the whole panel read out at every keystroke would drown it.
    panel.removeAttribute("aria-live");
    const csrf = document.querySelector('meta[name="csrf-token"]');
    let timer = null;
    let running = null;
    let lastSent = bodyOf(form);

    function bodyOf(form) {
      const data = new URLSearchParams(new FormData(form));
      data.delete("message"); // the revision note changes nothing a check reads
      if (form.dataset.clauseId) data.set("clause_id", form.dataset.clauseId);
      return data.toString();
    }

    function say(text) {
      status.textContent = text;
    }

    async function check() {
      const body = bodyOf(form);
      if (body === lastSent) return;
      lastSent = body;
      if (running) running.abort();
      const controller = new AbortController();
      running = controller;
      say(status.dataset.checking);
      let answer;
      try {
        const response = await fetch(form.dataset.liveCheck, {
          method: "POST",
          body: body,
          headers: {
            "Content-Type": "application/x-www-form-urlencoded",
            Accept: "application/json",
            "X-CSRFToken": csrf ? csrf.content : "",
          },
          credentials: "same-origin",
          signal: controller.signal,
        });
        answer = await response.json();
        if (!response.ok) {
          say((answer.error && answer.error.message) || status.dataset.failed);
          return;
        }
      } catch (error) {
        if (error.name === "AbortError") return; // a newer check replaced this one
        lastSent = null; // check again at the next change
        say(status.dataset.failed);
        return;
      } finally {
        if (running === controller) running = null;
      }
      if (controller.signal.aborted) return;
      showPanel(answer.panel_html);
      showMarks(answer);
      say(answer.summary);
    }

    function showPanel(html) {
      // The server's fragment replaces everything in the panel but the status line.
      const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("findings");
      if (!fresh) return;
      for (const child of Array.from(panel.childNodes)) {
        if (child !== status) child.remove();
      }
      const heading = document.importNode(fresh.querySelector("h2"), true);
      panel.insertBefore(heading, status);
      for (const child of Array.from(fresh.childNodes)) {
        if (child.nodeName !== "H2") panel.appendChild(document.importNode(child, true));
      }
      panel.dataset.live = "";
    }

    // "article：message" in the page's language (the status line carries the pattern).
    function noteOf(finding) {
      const pattern = status.dataset.note || "{article}：{message}";
      return pattern.replace("{article}", () => finding.article).replace("{message}", () => finding.message);
    }

    function note(className, text) {
      const paragraph = document.createElement("p");
      paragraph.className = className;
      paragraph.textContent = text;
      return paragraph;
    }

    function showMarks(answer) {
      const byField = new Map();
      const entry = (field) => {
        if (!byField.has(field)) byField.set(field, { problems: [], findings: [] });
        return byField.get(field);
      };
      for (const problem of answer.problems) if (problem.field) entry(problem.field).problems.push(problem);
      for (const finding of answer.findings) {
        if (finding.field && !finding.suppressed) entry(finding.field).findings.push(finding);
      }
      for (const marks of form.querySelectorAll("[data-marks-for]")) {
        const name = marks.dataset.marksFor;
        const found = byField.get(name) || { problems: [], findings: [] };
        marks.replaceChildren(
          ...found.problems.map((problem) => note("errors", problem.message)),
          ...found.findings.map((finding) => note("finding-note", noteOf(finding))),
        );
        const container = marks.closest(".field, .param-group") || marks.parentElement;
        // A refused save's errors beside the field are answered by this check now.
        for (const stale of container.querySelectorAll(":scope > ul.errors")) stale.remove();
        const marked = found.problems.length + found.findings.length > 0;
        const invalid = found.problems.length > 0 || found.findings.some((finding) => finding.severity === "error");
        container.classList.toggle("has-error", found.problems.length > 0);
        if (container.classList.contains("field")) container.classList.toggle("has-finding", found.findings.length > 0);
        for (const control of form.elements) {
          if (control.name !== name && !control.name.startsWith(name + "#")) continue;
          if (invalid) control.setAttribute("aria-invalid", "true");
          else control.removeAttribute("aria-invalid");
          if (marked) control.setAttribute("aria-describedby", marks.id);
          else control.removeAttribute("aria-describedby");
        }
      }
    }

    function changed(event) {
      if (event.target.name === "message") return;
      clearTimeout(timer);
      timer = setTimeout(check, DELAY_MS);
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const form of document.querySelectorAll("form[data-live-check]")) start(form);
  });
})();
