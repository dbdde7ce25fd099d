"""Normalise raw sheet frames and validate them against the kind's pandera model.

Returns the accepted rows (typed, with lineage) and one located problem per
failure; a row with an error is left out, the other rows of its file count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd
import pandera.pandas as pa

from pipeline import normalise as nz
from pipeline import schemas
from pipeline.kinds import Kind
from pipeline.problems import Problem, cell_text
from pipeline.read import SheetFrame

DATE_HINT = "请写成 2019-03-05、2019/3/5、2019.3.5、20190305 或 2019年3月5日，或把单元格设为日期格式"


@dataclass
class Parsed:
    """Typed columns plus the cells that could not be read (column key → mask)."""

    typed: pd.DataFrame
    unreadable: dict[str, tuple[pd.Series, str, str]] = field(default_factory=dict)  # key → (mask, rule, hint)


@dataclass
class Validated:
    rows: pd.DataFrame
    rejected: int
    problems: list[Problem]


def _parse_publication(raw: pd.DataFrame, context: dict) -> Parsed:
    typed = pd.DataFrame(index=raw.index)
    typed["channel"] = pd.Series(context["channel"], index=raw.index, dtype="str")
    typed["published"] = nz.dates(_col(raw, "published"))
    typed["title"] = nz.text(_col(raw, "title"))
    typed["category"] = nz.text(_col(raw, "category"))
    typed["link"] = nz.text(_col(raw, "link"))
    typed["title_key"] = nz.title_key(typed["title"])
    typed["link_key"] = nz.link_key(typed["link"])
    parsed = Parsed(typed)
    _unreadable(parsed, raw, "published", "date_invalid", DATE_HINT)
    return parsed


def _col(raw: pd.DataFrame, key: str) -> pd.Series:
    return raw[key] if key in raw else pd.Series(None, index=raw.index, dtype=object)


def _unreadable(parsed: Parsed, raw: pd.DataFrame, key: str, rule: str, hint: str) -> None:
    """Cells that hold something which did not parse."""
    mask = ~nz.is_blank(_col(raw, key)) & parsed.typed[key].isna()
    if mask.any():
        parsed.unreadable[key] = (mask, rule, hint)


@dataclass(frozen=True)
class KindRules:
    parse: Callable[[pd.DataFrame, dict], Parsed]
    model: type[pa.DataFrameModel]


RULES: dict[str, KindRules] = {
    "publication": KindRules(_parse_publication, schemas.PublishedItem),
}

# pandera check name → (rule code, message template); {name} is the column's official name, {header} as written.
CHECK_MESSAGES = {
    "not_nullable": ("required_missing", "必填项“{header}”为空。请填写{name}，或删除这一行。"),
    "str_length(1, None)": ("required_missing", "必填项“{header}”为空。请填写{name}，或删除这一行。"),
}


def validate_sheet(sf: SheetFrame, kind: Kind, rel: str, context: dict) -> Validated:
    """Normalise and validate the rows of one sheet."""
    raw = sf.frame
    parsed = RULES[kind.code].parse(raw, context)
    typed = parsed.typed
    typed.insert(0, "file", pd.Series(rel, index=raw.index, dtype="str"))
    typed.insert(1, "sheet", pd.Series(sf.sheet, index=raw.index, dtype="str"))
    typed.insert(2, "sheet_no", pd.Series(sf.sheet_no, index=raw.index, dtype="int64"))
    typed.insert(3, "excel_row", raw["_row"].astype("int64"))
    problems: list[Problem] = []
    bad = pd.Series(False, index=raw.index)

    def locate(key: str | None, idx) -> dict:
        column = sf.headers.get(key, kind.column(key).name) if key else ""
        value = cell_text(raw.at[idx, key]) if key in raw else ""
        return dict(file=rel, sheet=sf.sheet, row=int(raw.at[idx, "_row"]), column=column, value=value)

    for key, (mask, rule, hint) in parsed.unreadable.items():
        name = kind.column(key).name
        for idx in mask[mask].index:
            where = locate(key, idx)
            problems.append(Problem("error", rule, f"“{where['column']}”的值“{where['value']}”无法识别为{name}。{hint}。", **where))
        bad |= mask
    try:
        RULES[kind.code].model.validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        for case in exc.failure_cases.itertuples(index=False):
            if pd.isna(case.index):
                raise  # a schema-level failure (a column missing) is a bug in the normaliser, not bad input
            idx, key = case.index, case.column
            if key in parsed.unreadable and parsed.unreadable[key][0].at[idx]:
                continue  # already reported as unreadable
            rule, template = CHECK_MESSAGES.get(case.check, ("invalid_value", "“{header}”的值不符合要求（{check}）。"))
            where = locate(key if key in raw or key in kind_keys(kind) else None, idx)
            name = kind.column(key).name if key in kind_keys(kind) else key
            problems.append(Problem("error", rule, template.format(header=where["column"] or name, name=name, check=case.check), **where))
            bad.at[idx] = True
    rows = typed[~bad].reset_index(drop=True)
    return Validated(rows, int(bad.sum()), problems)


def kind_keys(kind: Kind) -> set[str]:
    return {c.key for c in kind.columns}
