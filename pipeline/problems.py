"""Problems found in a run: one record shape for every stage, written as problems.csv/xlsx."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

SEVERITIES = ("error", "warning", "note")
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "note": "提示"}


@dataclass(frozen=True)
class Problem:
    """One problem, located as precisely as the input allows."""

    severity: str
    rule: str
    message: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")


COLUMNS = [f.name for f in fields(Problem)]
# Order of the report's columns, as outputs.md lists them.
REPORT_COLUMNS = ["severity", "file", "sheet", "row", "column", "value", "rule", "message"]


@dataclass
class Problems:
    """An ordered collection of problems with counts per severity."""

    items: list[Problem] = field(default_factory=list)

    def add(self, severity: str, rule: str, message: str, **where) -> None:
        self.items.append(Problem(severity, rule, message, **where))

    def extend(self, more) -> None:
        self.items.extend(more)

    def count(self, severity: str) -> int:
        return sum(p.severity == severity for p in self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self):
        return iter(self.items)


def sort_key(p: Problem):
    """Report order: severity, then place in the raw folder."""
    return (SEVERITIES.index(p.severity), p.file, p.sheet, p.row or 0, p.column, p.rule)


def as_records(problems) -> list[dict]:
    # not dataclasses.asdict, which deep-copies every value: 3 s for 100,000 problems
    return [{name: getattr(p, name) for name in COLUMNS} for p in sorted(problems, key=sort_key)]


def cell_text(value) -> str:
    """How a raw cell value is quoted in a problem (empty for missing)."""
    if value is None:
        return ""
    try:
        import math

        if isinstance(value, float) and math.isnan(value):
            return ""
    except TypeError:
        pass
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
