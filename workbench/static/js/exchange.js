// A new PACT client's id and secret sit in read-only boxes: a click (or tab) selects the whole
// value, so it is copied in one piece (the secret is shown once only).
document.querySelectorAll("input.credential").forEach((box) => {
  box.addEventListener("focus", () => box.select());
  box.addEventListener("click", () => box.select());
});
