"""Findings: what any part of the workbench reports about a rule, a dataset, a registration or a
stage move, and the shape of the one catalogue they all come from.

PURE. A finding is made only from a catalogue entry (`Check`), which fixes its stable code, its
severity on the one scale below, the article it enforces and the message templates; the checker
adds the place (a JSON pointer, or "/stage" for a stage move) and the parameters. The message is
rendered in Chinese for storing and comparing, and in the reader's language when shown.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from workbench.guideline.articles import citation_text
from workbench.messages import N_, Message, Translate, identity, params_from_json, params_to_json


class Severity(StrEnum):
    ERROR = "error"  # must be put right: a rule with errors does not move on, a registration is refused
    WARNING = "warning"  # allowed, but the guideline discourages it: someone should decide
    INFO = "info"  # for information


SEVERITY_LABELS = {Severity.ERROR: N_("错误"), Severity.WARNING: N_("警告"), Severity.INFO: N_("提示")}
SEVERITY_RANK = {severity: rank for rank, severity in enumerate(Severity)}


@dataclass(frozen=True)
class Check:
    """One entry of the catalogue."""

    code: str  # stable: stored with suppressions and results, named in docs/architecture.md
    severity: Severity
    article: str  # the citation, e.g. 指引（四） or GB/T 1.1—2020 8.3
    summary: str  # the requirement in one sentence (Chinese, N_)
    messages: Mapping[str, str]  # variant → template (Chinese, N_); "" is the usual one
    meaning: str = ""  # for findings on trial data: what a gap of this kind says about the rule

    def __post_init__(self):
        if "" not in self.messages:
            raise ValueError(f"check {self.code} has no default message")


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    article: str
    path: str  # JSON pointer into what was checked ("/parameters/cut_off/total_percent")
    template: str
    params: Mapping[str, object] = field(default_factory=dict)
    suppressed: bool = False
    suppression_reason: str | None = None
    standard_ids: tuple[int, ...] = ()  # the registered standards a level finding is about

    @property
    def message(self) -> str:
        """The message in Chinese, as stored and compared (a suppression holds for one message)."""
        return Message(self.template, self.params).render()

    def text(self, translate: Translate = identity) -> str:
        return Message(self.template, self.params).render(translate)

    def article_text(self, translate: Translate = identity) -> str:
        return citation_text(self.article, translate)

    def suppress(self, reason: str | None) -> "Finding":
        return replace(self, suppressed=True, suppression_reason=reason)

    def to_dict(self) -> dict:
        """JSON-ready, with the Chinese message beside what renders it in other languages."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "article": self.article,
            "path": self.path,
            "message": self.message,
            "template": self.template,
            "params": params_to_json(self.params),
            "suppressed": self.suppressed,
            "suppression_reason": self.suppression_reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> "Finding":
        """A stored finding. Results stored before findings carried their template have only the
        Chinese message; it stands as its own template."""
        template = data.get("template")
        return cls(
            code=str(data.get("code", "")),
            severity=Severity(data["severity"]) if data.get("severity") in set(Severity) else Severity.INFO,
            article=str(data.get("article") or ""),
            path=str(data.get("path") or ""),
            template=str(template if template is not None else data.get("message", "")),
            params=params_from_json(data.get("params") or {}) if template is not None else {},
            suppressed=bool(data.get("suppressed")),
            suppression_reason=data.get("suppression_reason"),
        )


def sort_key(finding: Finding):
    """Errors first, then warnings, then information; then by place (array indices in numeric
    order), code and message."""
    parts = tuple(
        (0, int(part), "") if part.isascii() and part.isdigit() else (1, 0, part) for part in finding.path.split("/")
    )
    return (SEVERITY_RANK.get(finding.severity, len(SEVERITY_RANK)), parts, finding.code, finding.message)


def counts(findings) -> dict[str, int]:
    """{"errors": n, "warnings": n, "info": n}, counting unsuppressed findings only."""
    tally = {"errors": 0, "warnings": 0, "info": 0}
    names = {Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.INFO: "info"}
    for finding in findings:
        if not finding.suppressed:
            tally[names[finding.severity]] += 1
    return tally
