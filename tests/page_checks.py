"""What every page must hold for its reader, checked in the browser: on an English page no Chinese
text of the interface is left, and on a phone nothing reaches past the screen.

The rule's own content and the names people gave things (a product, an organisation, a person, a
rule's clauses, a comment) stay in the language they were written in. Templates mark such text
with a `lang` attribute (`lang="zh-CN"`, or `lang="zh"`) on the element that holds it: that is
also what a screen reader needs to pronounce it, so the mark is true markup, not a test hook.
Everything outside such an element is the interface's and must be in the page's language.
"""

import re

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")

# Text nodes outside any element marked as Chinese content; form fields' visible values and
# placeholders, titles and alt texts are the interface's too.
_UNMARKED_TEXT = r"""
() => {
  const found = [];
  const skip = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"]);
  const isContent = (element) => {
    const marked = element.closest("[lang]");
    return marked !== null && marked !== document.documentElement && /^zh/i.test(marked.getAttribute("lang"));
  };
  const visible = (element) => {
    const style = getComputedStyle(element);
    return style.display !== "none" && style.visibility !== "hidden" && element.getClientRects().length > 0;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    const text = node.textContent.trim();
    if (!text || !element || skip.has(element.tagName) || isContent(element)) continue;
    if (element.closest("option") ? !visible(element.closest("select")) : !visible(element)) continue;
    found.push({text: text.slice(0, 80), where: element.tagName.toLowerCase() + (element.className ? "." + element.className : "")});
  }
  for (const element of document.body.querySelectorAll("[placeholder],[title],img[alt],input[type=submit][value],button[value]")) {
    if (isContent(element)) continue;
    for (const name of ["placeholder", "title", "alt"]) {
      const value = element.getAttribute(name);
      if (value) found.push({text: value.slice(0, 80), where: element.tagName.toLowerCase() + "@" + name});
    }
  }
  return found;
}
"""


def chinese_left(page) -> list[str]:
    """The interface's texts on `page` that hold Chinese characters, each with where it sits."""
    return [
        f"{item['text']!r} in <{item['where']}>"
        for item in page.evaluate(_UNMARKED_TEXT)
        if HAN.search(item["text"])
    ]


# Elements whose right edge is past the viewport and that no horizontally scrolling box holds
# (a wide table inside `.table-scroll` is fine: the reader scrolls that box, not the page).
_OVERFLOWING = r"""
() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  const scrolls = (element) => {
    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
      const overflow = getComputedStyle(box).overflowX;
      if (overflow === "auto" || overflow === "scroll" || overflow === "hidden") return true;
    }
    return false;
  };
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > width + 1 && !scrolls(element)) {
      found.push(element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") +
                 (element.className && typeof element.className === "string" ? "." + element.className.split(" ").join(".") : "") +
                 " right=" + Math.round(box.right));
    }
  }
  const page = document.documentElement.scrollWidth;
  if (page > width) found.unshift("page scrollWidth=" + page + " > " + width);
  return found;
}
"""


def overflowing(page) -> list[str]:
    """The elements of `page` that reach past the viewport's right edge, outside a scrolling box."""
    return page.evaluate(_OVERFLOWING)


# Squeezed text: a cell or paragraph so narrow that its text stands one character per line.
_SQUEEZED = r"""
() => {
  const found = [];
  for (const element of document.body.querySelectorAll("td, th, p, li, dd, dt, a, span, label")) {
    const text = element.innerText ? element.innerText.trim() : "";
    if (text.length < 6) continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0) continue;
    const style = getComputedStyle(element);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
    const lines = box.height / line;
    if (box.width < parseFloat(style.fontSize) * 2.2 && lines > 4) {
      found.push(element.tagName.toLowerCase() + ": " + text.slice(0, 30) + " width=" + Math.round(box.width));
    }
  }
  return found;
}
"""


def squeezed(page) -> list[str]:
    """Elements squeezed to about one character per line (a column the layout starved)."""
    return page.evaluate(_SQUEEZED)


def check_page(page, *, english: bool, phone: bool) -> list[str]:
    """Everything wrong with the page as its reader sees it, prefixed by the page's address."""
    problems = []
    if english:
        problems += [f"Chinese left: {text}" for text in chinese_left(page)]
    if phone:
        problems += [f"overflow: {item}" for item in overflowing(page)]
        problems += [f"squeezed: {item}" for item in squeezed(page)]
    return [f"{page.url}: {problem}" for problem in problems]
