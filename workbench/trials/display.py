"""How the trial pages, the feasibility report (page, notes, XLSX notes) and their charts show
numbers, and how they shorten chart labels. PURE. The policy, in docs/trials.md ("How figures are
shown"), lives here and nowhere else; templates reach it through the globals `num` (results),
`qty` (typed quantities), `pct` (percentages), `ratio`, `interval` and `co2e_total`:

- `number`: a calculated figure (a footprint, a factor, a Monte Carlo statistic) to four
  significant figures. From 1 up its trailing zeros are kept, so figures side by side show the
  same precision (679.0 beside 724.1, never 679 beside 724.1); below 1 they are dropped (0.018, not
  0.01800, which would claim a precision nobody reads). Large figures are rounded too
  (724,144,850 → 724,100,000): four figures are all a calculation can claim. A whole number of up
  to four digits stays whole (a class limit of 700); tiny and huge values go to scientific
  notation.
- `co2e_total`: a total in kg CO2e (the accounting period's emissions) in t CO2e from 1,000 kg up,
  so that it reads 724,100 t CO2e rather than nine digits of kilograms.
- `quantity`: a figure someone typed (an output, an amount of electricity, a rule's limit) as it
  was given, without a float's ".0" (800,000 t, not 800000.0 t).
- `pct`: a percentage with one decimal and its sign, joined by a no-break space (8.1 %), in
  Chinese and English alike, as the rest of the interface writes it; `share` is the bare number
  for a column headed "%".
- `ratio`: a ratio, a data-quality score or a correlation with two decimals.
- `interval`: a range "697.5 – 751.4" (a dash, not a comma, which thousands would make ambiguous).
- Thousands are grouped with "," in Chinese and English alike (both locales' convention); the JSON,
  the API and the XLSX cells keep every digit.
"""

import math
import unicodedata

SIGNIFICANT = 4  # figures of a calculated number


def number(value) -> str:
    """A calculated figure for people: four significant figures (see the module's docstring)."""
    if value is None:
        return "—"
    value = float(value)
    if not math.isfinite(value):
        return "—"
    if value == 0 or (value.is_integer() and abs(value) < 10**SIGNIFICANT):
        return f"{int(value):,}"  # a whole number (a class limit, a count) has no digits to show
    if not 1e-3 <= abs(value) < 1e12:
        return f"{value:.{SIGNIFICANT - 1}e}"
    magnitude = math.floor(math.log10(abs(float(f"{value:.{SIGNIFICANT - 1}e}"))))  # 999.96 → 1,000
    digits = SIGNIFICANT - 1 - magnitude
    if digits <= 0:
        return f"{round(value, digits):,.0f}"  # 724,144,850 → 724,100,000
    text = f"{value:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if abs(value) < 1 else text


def co2e_total(kilograms) -> str:
    """A total in kg CO2e with its unit: kg below 1,000 kg, t CO2e from there up."""
    if kilograms is None:
        return "—"
    if abs(float(kilograms)) >= 1000:
        return f"{number(float(kilograms) / 1000)} t CO2e"
    return f"{number(kilograms)} kg CO2e"


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
    """A percentage (12.5 means 12.5 %) with one decimal, without the sign (a column headed "%")."""
    return "—" if value is None else f"{float(value):.1f}"


def pct(value, typed: bool = False) -> str:
    """A percentage with one decimal and its sign, kept together by a no-break space: 8.1 %; a
    percentage someone typed (a rule's cut-off limit) as given: 5 %."""
    if value is None:
        return "—"
    return f"{quantity(value) if typed else share(value)}\u00a0%"


def ratio(value, signed: bool = False) -> str:
    """A ratio, a data-quality score or a correlation: two decimals (+0.87 when `signed`)."""
    if value is None:
        return "—"
    return f"{float(value):+.2f}" if signed else f"{float(value):.2f}"


def interval(low, high) -> str:
    """A range of calculated figures: 697.5 – 751.4."""
    return f"{number(low)} – {number(high)}"


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
