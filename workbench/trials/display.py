"""How the trial pages, the feasibility report (page, notes, XLSX notes) and their charts show
numbers, and how they shorten chart labels. PURE. The policy, in docs/trials.md ("How figures are
shown"), lives here and nowhere else:

- `number`: a calculated figure (a footprint, a factor, a Monte Carlo statistic) to four
  significant figures, its trailing zeros kept, so figures side by side show the same precision
  (679.0 beside 724.1, never 679 beside 724.1); the integer part is never rounded away
  (1,234,567), a whole number stays whole (a class limit of 700), tiny and huge values go to
  scientific notation.
- `quantity`: a figure someone typed (an output, an amount of electricity) as it was given, without
  a float's ".0" (800,000 t, not 800000.0 t).
- `percent` / `share`: percentages with one decimal.
- Thousands are grouped with "," in Chinese and English alike (both locales' convention); the JSON,
  the API and the XLSX cells keep every digit.
"""

import math
import unicodedata

SIGNIFICANT = 4  # figures of a calculated number


def number(value) -> str:
    """A calculated figure for people: four significant figures, trailing zeros kept."""
    if value is None:
        return "—"
    value = float(value)
    if not math.isfinite(value):
        return "—"
    if value.is_integer() and abs(value) < 1e12:
        return f"{int(value):,}"  # a whole number (a class limit, a count) has no digits to show
    if 1e-3 <= abs(value) < 1e12:
        digits = max(0, SIGNIFICANT - 1 - math.floor(math.log10(abs(value))))
        rounded = round(value, digits)
        if rounded and math.floor(math.log10(abs(rounded))) > math.floor(math.log10(abs(value))):
            digits = max(0, digits - 1)  # 999.95 rounds to 1,000.0: still four figures, 1,000
        return f"{value:,.{digits}f}"
    return f"{value:.{SIGNIFICANT - 1}e}"


def quantity(value) -> str:
    """A typed quantity as given: integers with their thousands, other numbers with the digits
    they have (up to 10 significant), never a trailing ".0"."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = float(value.replace(",", ""))
        except ValueError:
            return value  # not a number: shown as typed
    value = float(value)
    if not math.isfinite(value):
        return "—"
    if value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    text = f"{value:,.10g}" if 1e-4 <= abs(value) < 1e15 else f"{value:.10g}"
    return text


def as_typed(value) -> str:
    """A stored number put back in a form field as someone would type it: 800000, not 800000.0."""
    if isinstance(value, float):
        return f"{value:.15g}"
    return "" if value is None else str(value)


def share(value) -> str:
    """A percentage (12.5 means 12.5 %) with one decimal, without the sign."""
    return "—" if value is None else f"{float(value):.1f}"


def fit_label(text: str, room: int = 120, size: int = 13) -> str:
    """`text` cut with "…" to fit `room` pixels of a chart's label column at font `size`: a Chinese
    character takes about the font size, a Latin letter a little over half of it."""
    text = str(text)
    widths = [size if unicodedata.east_asian_width(char) in "WF" else size * 0.55 for char in text]
    if sum(widths) <= room:
        return text
    used, kept = size * 0.55, ""  # room for the ellipsis
    for char, width in zip(text, widths, strict=True):
        if used + width > room:
            break
        used, kept = used + width, kept + char
    return kept.rstrip() + "…"


def percent(value, total) -> str:
    """`value` as a percentage of `total`, one decimal."""
    return share(100 * value / total) if total else "—"
