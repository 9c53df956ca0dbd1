"""The guideline's one home: 《产品碳足迹核算标准编制工作指引》 (2025) as the workbench enforces it.

PURE: no Flask, no database, no session. Everything else asks here:
- `articles`: the twenty articles and the general requirements, and how a citation is written;
- `vocabulary`: the coded words (life-cycle stages, data types, factor tiers, activity
  categories, electricity methods, document elements …), each with the article it comes from;
- `findings`: the one kind of finding and the one severity scale;
- `catalogue`: every finding the workbench can report, with its code, severity, article and
  messages (`finding(code, path, variant, **params)` makes one).
"""

from workbench.guideline.catalogue import CATALOGUE, finding, meaning
from workbench.guideline.findings import Check, Finding, Severity

__all__ = ["CATALOGUE", "Check", "Finding", "Severity", "finding", "meaning"]
