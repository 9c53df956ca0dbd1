"""JSON from users, read with bounded work: the nesting depth is measured before anything is parsed.

PURE: standard library only. Python's JSON reader recurses once per level of nesting, and so do
JSON Schema validation and every walk over the result; a body of a few kilobytes nested a
thousand levels deep would end in a RecursionError (a 500) somewhere. `loads` counts the depth
first, with regular expressions and no recursion, and refuses anything deeper than MAX_DEPTH. Rule
documents and trial datasets are under ten levels deep.

JSON makes no difference between 251 and 251.0, and JSON Schema's "integer" accepts both;
`integral_floats` turns the second into the first, so code below never meets a float where the
schema promised an integer (numpy refuses 251.0 as a count).
"""

import json
import re
from itertools import accumulate

MAX_DEPTH = 64

# A string, or what is left of the text after an unterminated one. Every attempt that starts at a
# quote matches (the end of the text, even after a lone backslash, closes the string too) and nothing in it
# can be matched two ways, so the scan never backtracks and takes time linear in the text. A
# pattern that insisted on the closing quote failed at every quote of `"\"\"\"…` after reading
# to the end: 64 KB took 11 s.
_STRING = re.compile(r'"[^"\\]*(?:\\(?:.|\Z)[^"\\]*)*(?:"|\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class NestedTooDeeply(ValueError):
    """The text nests arrays and objects deeper than `limit`."""

    def __init__(self, limit: int):
        super().__init__(f"JSON nested deeper than {limit} levels")
        self.limit = limit


def nesting_depth(text: str) -> int:
    """How deeply `text` nests arrays and objects, brackets inside strings not counted."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(_STEP[bracket] for bracket in brackets), default=0)


def integral_floats(text: str) -> int | float:
    """A JSON number with a fraction or exponent: an int when it is a whole number (251.0, 2.51e2)."""
    value = float(text)
    return int(value) if value.is_integer() else value


def loads(text: str, *, max_depth: int = MAX_DEPTH, **options):
    """`json.loads(text, **options)` once `text` is known to nest at most `max_depth` levels;
    NestedTooDeeply (a ValueError) otherwise."""
    if nesting_depth(text) > max_depth:
        raise NestedTooDeeply(max_depth)
    return json.loads(text, **options)
