"""How the trial pages show numbers and chart labels. PURE."""

import math
import unicodedata


def number(value) -> str:
    """Four significant figures for people (the JSON and XLSX keep every digit)."""
    if value is None:
        return "—"
    value = float(value)
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e9:
        digits = max(0, 3 - math.floor(math.log10(abs(value))))
        text = f"{value:,.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text  # 0.3, not 0.3000
    return f"{value:.3e}"


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
    return f"{100 * value / total:.1f}" if total else "—"
