// /declarations/new: the fields of the chosen rule (its calculations of record, the PACT file,
// the product…) without the "选择规则" round trip. The fields come from the page itself, fetched
// for the chosen rule (GET /declarations/new?rule=<id>), so the server stays the one place that
// knows them; without this script the button still reloads the page with them.
// It also shows only the chosen basis's field (the calculation or the PACT file); without the
// script both stay, each in a group named for its basis.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("declaration-form");
  const showBasis = () => {
    const source = document.getElementById("source");
    document.querySelectorAll(".basis-option").forEach((group) => {
      group.hidden = Boolean(source) && group.dataset.basis !== source.value;
    });
  };
  if (form) {
    form.addEventListener("change", (event) => {
      if (event.target.id === "source") showBasis();
    });
    showBasis();
  }
  const select = document.getElementById("rule_id");
  const button = document.getElementById("choose-rule");
  if (!form || !select || !button || typeof window.fetch !== "function") return;
  button.style.display = "none"; // the CSS gives buttons a display: the hidden attribute alone would not hide it
  let asked = 0;
  select.addEventListener("change", async () => {
    const wanted = ++asked;
    const current = document.getElementById("declaration-fields");
    // What the reader typed already is kept when the new rule's fields have the same names.
    const typed = new Map();
    current.querySelectorAll("input:not([type=file]), select, textarea").forEach((item) => typed.set(item.name, item.value));
    let html;
    try {
      const response = await fetch(`${form.dataset.fields}?rule=${encodeURIComponent(select.value)}`, { credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      html = await response.text();
    } catch (error) {
      button.style.display = ""; // the page's own way still works
      return;
    }
    if (wanted !== asked) return; // a later choice is on its way
    const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("declaration-fields");
    if (!fresh) return;
    fresh.querySelectorAll("input:not([type=file]), textarea").forEach((item) => {
      if (typed.has(item.name) && typed.get(item.name) !== "") item.value = typed.get(item.name);
    });
    current.replaceWith(document.importNode(fresh, true));
    showBasis();
  });
});
