"""Text written into spreadsheets people open in Excel or WPS. PURE.

Cells hold what users typed (comments, enterprise data, factor sources), so a cell must never
become a formula: text starting with = + - @ (or a tab or carriage return, which some programs
skip before looking for one) gets an apostrophe, which Excel shows as plain text. Control
characters are dropped because the file format forbids them.
"""

CONTROL_CHARACTERS = dict.fromkeys(code for code in range(32) if code not in (9, 10, 13))
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value) -> str:
    """`value` as a text cell that is never a formula."""
    text = ("" if value is None else str(value)).translate(CONTROL_CHARACTERS)
    return "'" + text if text.startswith(FORMULA_START) else text
