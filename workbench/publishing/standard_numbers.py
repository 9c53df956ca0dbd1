"""Standards' numbers in a rule's text, which a line must never break inside.

"GB/T 24067—2024" broken as "GB/ T 24067—" / "2024" reads as two things, so every output keeps
a number on one line: the HTML and PDF wrap it in a no-wrap span (publishing/document.py), and a
writer without such spans (Word) can join its characters itself. Pure: the standard library only.

A number is a code, an optional space, the number with its parts and, mostly, a year (the forms
workbench/registry/numbers.py reads one at a time, found here in running text):
GB/T 24067—2024, GB/T 32151.8—2015, GB/T 1.1—2020, GB 175—2023, HJ 2.1—2016, YS/T 1234.1—2020,
JGJ/T 1—2020, NB/SH/T 0001—2019, DB11/T 1234—2020, DB11/ 501—2017, T/CSTM 00123—2024,
T/CECA-G 0374—2025, Q/GDW 12345—2020, ISO 14067:2018, ISO 14064-1:2018, ISO/TS 14071:2014,
IEC 62321-7-1:2015, ITU-T L.1410:2014, GB/T 24040—2008/ISO 14040:2006 (an identical adoption, one
number), and the placeholder of a draft, GB/T XXXXX—XXXX. The space may be an ordinary, no-break
(U+00A0) or narrow no-break (U+202F) space; the year's dash an em dash (as GB/T 1.1 prints it),
an en dash or a hyphen. A code of two or three letters that is not one of the known ones
("JTG D60—2015") counts only with its year, so that "AR6" or "CO2" is not a number.
"""

import re

_SPACE = r"[ \u00a0\u202f]?"
_SEQUENCE = r"(?:[A-Z]\.?)?(?:[0-9]+|X{2,})(?:\.[0-9]+|-[0-9]{1,3}(?![0-9]))*"  # 24067, 32151.8, 14064-1, D60, L.1410
_YEAR = r"(?:[—–-](?:[0-9]{4}|X{4})|:[0-9]{4})"  # —2024 (China), :2018 (ISO, IEC)
_INTERNATIONAL = rf"(?:ISO/IEC|ISO/TS|ISO/TR|ISO/PAS|ISO|IEC|ITU-T){_SPACE}{_SEQUENCE}{_YEAR}?"
# Codes known to be codes: China's national, local ("DB11/T", "DB11/" mandatory), association
# ("T/CSTM") and enterprise ("Q/GDW") codes, sector codes with /T or /Z ("YS/T", "NB/SH/T"), a few
# without (HJ, JJF, JJG), and foreign ones; their year may be left out ("ISO 14040", "GB 175").
_KNOWN = (
    r"GB/T|GB/Z|GB|DB[0-9]{2,6}/T?|DB/T|T/[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*|Q/[A-Z0-9]+(?:-[A-Z0-9]+)*"
    r"|[A-Z]{2,3}(?:/[A-Z]{2})?/[TZ]|HJ|JJF|JJG|PAS|EN|BS|ASTM"
)
STANDARD_NUMBER = re.compile(
    r"(?<![A-Za-z0-9/])(?:"  # not the tail of a longer word
    rf"(?:{_KNOWN}){_SPACE}{_SEQUENCE}{_YEAR}?(?:/{_INTERNATIONAL})?"
    rf"|{_INTERNATIONAL}"
    rf"|[A-Z]{{2,3}}{_SPACE}{_SEQUENCE}{_YEAR}"  # another code: with its year only
    r")(?![0-9])"
)


def split(text: str) -> list[tuple[str, bool]]:
    """`text` in order, in pieces: (piece, True) for a standard's number, (piece, False) for the
    text around it. Joined, the pieces are `text` again; empty pieces are left out."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in STANDARD_NUMBER.finditer(text):
        if match.start() > position:
            pieces.append((text[position : match.start()], False))
        pieces.append((match.group(), True))
        position = match.end()
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces
