"""The trial page's sensitivity chart and table: one row per listed input, largest share first,
then the inputs not listed, counted together."""

from typing import NamedTuple

from flask_babel import lazy_pgettext, ngettext

# What is uncertain in one input, named in the singular for the trial page's chart and table (the
# report's group labels in feasibility.SENSITIVITY_KINDS name groups, in the plural).
SENSITIVITY_KIND_LABELS = {
    "amount": lazy_pgettext("sensitivity", "活动数据数量"),
    "factor": lazy_pgettext("sensitivity", "排放因子"),
    "amount_and_factor": lazy_pgettext("sensitivity", "活动数据与其因子"),
    "exchange": lazy_pgettext("sensitivity", "过程间交换量"),
}


class SensitivityRow(NamedTuple):
    """One bar of the sensitivity chart and one row of its table; the unlisted inputs that count
    together have no kind, place or ρ."""

    item: str
    kind: str
    share: float
    path: str
    rho: float | None


def rows(sensitivity: dict) -> list[SensitivityRow]:
    """The sensitivity's listed inputs, largest share first, then the unlisted ones together."""
    rows = [
        SensitivityRow(
            item["label"],
            str(SENSITIVITY_KIND_LABELS.get(item["kind"], item["kind"])),
            item["share"],
            item["path"],
            item["rho"],
        )
        for item in sensitivity["inputs"]
    ]
    left_out = unlisted(sensitivity)
    if left_out:
        others = ngettext("其他 %(n)d 项", "其他 %(n)d 项", left_out, n=left_out)
        rows.append(SensitivityRow(others, "", sensitivity["others"], "", None))
    return rows


def unlisted(sensitivity: dict) -> int:
    """How many inputs beyond the listed ones share `others`: not those whose correlation with the
    result is within chance (`below_noise`, counted 0)."""
    if not sensitivity.get("others"):
        return 0
    return max(sensitivity["count"] - len(sensitivity["inputs"]) - sensitivity.get("below_noise", 0), 0)
