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
from pipeline import kinds, outcomes, schemas
from pipeline.kinds import APPLICANT_NAMES, APPLICANTS, CASE_RESULTS, CASE_TYPES, DOCUMENT_CATEGORIES, SERVICE_ITEMS, Kind
from pipeline.problems import Problem, cell_text
from pipeline.read import SheetFrame, UncachedFormula

DATE_MESSAGE = "“{column}”的值“{value}”不是有效日期。请写成 2019-03-05、2019/3/5、2019.3.5、20190305 或 2019年3月5日，或把单元格设为日期格式。"
NUMBER_MESSAGE = "“{column}”的值“{value}”不是数字。请只填写数字（不带单位）。"

YES_NO = {"是": "是", "否": "否", "Y": "是", "N": "否"}


@dataclass
class Parsed:
    """Typed columns plus the cells that could not be read: column key → (mask, rule, message)."""

    typed: pd.DataFrame
    # message: a template with {column} (header as written) and {value}, or a Series of per-row messages
    unreadable: dict[str, tuple[pd.Series, str, str | pd.Series]] = field(default_factory=dict)


@dataclass
class Validated:
    rows: pd.DataFrame
    rejected: int
    problems: list[Problem]


def _parse_publication(raw: pd.DataFrame, context: dict) -> Parsed:
    typed = pd.DataFrame(index=raw.index)
    parsed = Parsed(typed)
    typed["channel"] = pd.Series(context["channel"], index=raw.index, dtype="str")
    _dates(parsed, raw, kinds.PUBLICATION)
    typed["title"] = nz.text(_col(raw, "title"))
    typed["category"] = nz.text(_col(raw, "category"))
    typed["link"] = nz.text(_col(raw, "link"))
    typed["title_key"] = nz.title_key(typed["title"])
    typed["link_key"] = nz.link_key(typed["link"])
    return parsed


def _parse_applications(raw: pd.DataFrame, context: dict) -> Parsed:
    typed = pd.DataFrame(index=raw.index)
    parsed = Parsed(typed)
    typed["request_id"] = nz.text(_col(raw, "request_id"))
    typed["applicant"] = nz.choice(_col(raw, "applicant"), APPLICANTS)
    _dates(parsed, raw, kinds.APPLICATIONS)
    outcome_raw = _col(raw, "outcome")
    leaves = outcome_raw.map(lambda v: outcomes.parse(v) if isinstance(v, str) and v.strip() else (None, None))
    typed["outcome"] = leaves.map(lambda t: t[0]).astype("str")
    typed["outcome_text"] = nz.text(outcome_raw)
    typed["fee"] = nz.numbers(_col(raw, "fee"))
    typed["content"] = nz.text(_col(raw, "content"))
    typed["extended"] = nz.choice(_col(raw, "extended"), YES_NO).map({"是": True, "否": False}, na_action="ignore").astype("boolean")
    _unreadable(parsed, raw, "applicant", "unknown_applicant_type",
                "“{column}”的值“{value}”不是认可的申请人类型。可用：" + "、".join(APPLICANT_NAMES) + "（也可写 公民、个人、企业、公司、律师事务所、其他组织）。")
    _unreadable(parsed, raw, "outcome", leaves.map(lambda t: t[1] or "outcome_unknown"), outcome_raw.map(_outcome_message))
    _unreadable(parsed, raw, "fee", "not_a_number", NUMBER_MESSAGE)
    _unreadable(parsed, raw, "extended", "invalid_value", "“{column}”的值“{value}”应为“是”或“否”。")
    return parsed


def _outcome_message(value) -> str:
    if not isinstance(value, str):
        return ""
    leaf, rule = outcomes.parse(value)
    if leaf is not None:
        return ""  # a valid outcome needs no message (and the closest-match search is costly)
    if rule == "outcome_parent_only":
        subs = "、".join(f"{value.strip()}-{s}" for s in outcomes.PARENTS[outcomes._strip_numbering(outcomes._clean(value))])
        return "“{column}”只写了“{value}”，没有写具体情形。请写明子项，例如：" + subs + "。"
    return "“{column}”的值“{value}”不是表三中的办理结果。最接近的有：" + "、".join(outcomes.closest(value)) + "。请改为其中之一（可只写子项，如“属于国家秘密”）。"


def _parse_appeals(raw: pd.DataFrame, context: dict) -> Parsed:
    typed = pd.DataFrame(index=raw.index)
    parsed = Parsed(typed)
    typed["case_id"] = nz.text(_col(raw, "case_id"))
    typed["case_type"] = nz.choice(_col(raw, "case_type"), CASE_TYPES)
    _dates(parsed, raw, kinds.APPEALS)
    typed["result"] = nz.choice(_col(raw, "result"), CASE_RESULTS)
    _unreadable(parsed, raw, "case_type", "unknown_case_type", "“{column}”的值“{value}”不是认可的案件类型。可用：行政复议、行政诉讼-未经复议直接起诉、行政诉讼-复议后起诉（也可写 复议、直接起诉、复议后起诉）。")
    _unreadable(parsed, raw, "result", "unknown_case_result", "“{column}”的值“{value}”不是认可的审结结果。可用：维持、纠正、其他（也可写 结果维持、结果纠正、其他结果）。")
    return parsed


def _parse_documents(raw: pd.DataFrame, context: dict) -> Parsed:
    typed = pd.DataFrame(index=raw.index)
    parsed = Parsed(typed)
    typed["name"] = nz.text(_col(raw, "name"))
    typed["doc_no"] = nz.text(_col(raw, "doc_no"))
    typed["category"] = nz.choice(_col(raw, "category"), DOCUMENT_CATEGORIES)
    _dates(parsed, raw, kinds.DOCUMENTS)
    typed["name_key"] = nz.title_key(typed["name"])
    typed["doc_no_key"] = nz.title_key(typed["doc_no"])
    _unreadable(parsed, raw, "category", "unknown_document_category", "“{column}”的值“{value}”不是认可的文件类别。可用：规章、规范性文件（也可写 行政规范性文件）。")
    return parsed


def _parse_services(raw: pd.DataFrame, context: dict) -> Parsed:
    typed = pd.DataFrame(index=raw.index)
    typed["year"] = nz.whole_numbers(_col(raw, "year"))
    typed["item"] = nz.choice(_col(raw, "item"), SERVICE_ITEMS)
    typed["items"] = nz.whole_numbers(_col(raw, "items"))
    typed["decisions"] = nz.whole_numbers(_col(raw, "decisions"))
    typed["amount"] = nz.numbers(_col(raw, "amount"))
    parsed = Parsed(typed)
    for key in ("year", "items", "decisions"):
        _unreadable(parsed, raw, key, "not_whole_number", "“{column}”的值“{value}”不是整数。请填写不带小数的数字。")
    _unreadable(parsed, raw, "amount", "not_a_number", NUMBER_MESSAGE)
    _unreadable(parsed, raw, "item", "unknown_service_item", "“{column}”的值“{value}”不是认可的事项。可用：" + "、".join(SERVICE_ITEMS) + "。")
    return parsed


def _dates(parsed: Parsed, raw: pd.DataFrame, kind: Kind) -> None:
    """The kind's date columns (kinds.Column.date, which the fast reader also reads by): parsed, and every non-empty cell that is not a date reported."""
    for key in (c.key for c in kind.columns if c.date):
        parsed.typed[key] = nz.dates(_col(raw, key))
        _unreadable(parsed, raw, key, "date_invalid", DATE_MESSAGE)


def _col(raw: pd.DataFrame, key: str) -> pd.Series:
    return raw[key] if key in raw else pd.Series(None, index=raw.index, dtype=object)


def _unreadable(parsed: Parsed, raw: pd.DataFrame, key: str, rule, message) -> None:
    """Cells that hold something which did not parse."""
    mask = ~nz.is_blank(_col(raw, key)) & parsed.typed[key].isna()
    if mask.any():
        parsed.unreadable[key] = (mask, rule, message)


@dataclass(frozen=True)
class KindRules:
    parse: Callable[[pd.DataFrame, dict], Parsed]
    model: type[pa.DataFrameModel]


RULES: dict[str, KindRules] = {
    "publication": KindRules(_parse_publication, schemas.PublishedItem),
    "applications": KindRules(_parse_applications, schemas.RequestRow),
    "appeals": KindRules(_parse_appeals, schemas.AppealRow),
    "documents": KindRules(_parse_documents, schemas.DocumentRow),
    "services": KindRules(_parse_services, schemas.ServiceRow),
}

REQUIRED = ("required_missing", None, "必填项“{header}”为空。请填写{name}，或删除这一行。")
# pandera check name → (rule code, column the problem points at (None: the failing column), message).
# {name} is the column's official name, {header} the header as written in the file.
CHECK_MESSAGES = {
    "not_nullable": REQUIRED,
    "str_length(1, None)": REQUIRED,
    "answered_not_before_received": ("answer_before_receipt", "answered", "答复日期早于收到日期。请核对这两个日期。"),
    "outcome_when_answered": ("outcome_missing", "outcome", "已填写答复日期，但“办理结果”为空。请填写办理结果（如 予以公开）；如果尚未答复，请清空答复日期。"),
    "concluded_not_before_received": ("conclusion_before_receipt", "concluded", "审结日期早于收到日期。请核对这两个日期。"),
    "result_when_concluded": ("result_missing", "result", "已填写审结日期，但“结果”为空。请填写 维持、纠正 或 其他；如果尚未审结，请清空审结日期。"),
}


FORMULA_MESSAGE = "“{column}”是公式“{value}”，但文件中没有保存它的计算结果，无法读取。请在 Excel/WPS 中打开该文件，重新计算（按 F9）后保存；或把这些单元格复制后“选择性粘贴 → 数值”。"


def _parse_with_formulas(raw: pd.DataFrame, kind: Kind, context: dict) -> Parsed:
    """Parse the sheet with formulas lacking a cached value read as empty, then report those cells as unreadable."""
    found = {key: raw[key].map(lambda v: isinstance(v, UncachedFormula)).astype(bool) for key in raw if key != "_row"}
    found = {key: mask for key, mask in found.items() if mask.any()}
    clean = raw.copy() if found else raw
    for key, mask in found.items():
        clean.loc[mask, key] = None
    parsed = RULES[kind.code].parse(clean, context)
    for key, mask in found.items():
        rule, message = "formula_without_value", FORMULA_MESSAGE
        if key in parsed.unreadable:  # other cells of the column did not parse: keep their rule and message
            old_mask, old_rule, old_message = parsed.unreadable[key]
            rule = pd.Series(old_rule, index=raw.index).where(~mask, rule)
            message = pd.Series(old_message, index=raw.index).where(~mask, message)
            mask = mask | old_mask
        parsed.unreadable[key] = (mask, rule, message)
    return parsed


def validate_sheet(sf: SheetFrame, kind: Kind, rel: str, context: dict) -> Validated:
    """Normalise and validate the rows of one sheet."""
    raw = sf.frame
    parsed = _parse_with_formulas(raw, kind, context) if sf.uncached else RULES[kind.code].parse(raw, context)
    typed = parsed.typed
    typed.insert(0, "file", pd.Series(rel, index=raw.index, dtype="str"))
    typed.insert(1, "sheet", pd.Series(sf.sheet, index=raw.index, dtype="str"))
    typed.insert(2, "sheet_no", pd.Series(sf.sheet_no, index=raw.index, dtype="int64"))
    typed.insert(3, "excel_row", raw["_row"].astype("int64"))
    problems: list[Problem] = []
    bad = pd.Series(False, index=raw.index)

    def locate(key: str, idx) -> dict:
        column = sf.headers.get(key, kind.column(key).name)
        value = cell_text(raw.at[idx, key]) if key in raw else ""
        return dict(file=rel, sheet=sf.sheet, row=int(raw.at[idx, "_row"]), column=column, value=value)

    for key, (mask, rule, message) in parsed.unreadable.items():
        for idx in mask[mask].index:
            where = locate(key, idx)
            text = message.at[idx] if isinstance(message, pd.Series) else message
            code = rule.at[idx] if isinstance(rule, pd.Series) else rule
            problems.append(Problem("error", code, text.format(column=where["column"], value=where["value"]), **where))
        bad |= mask
    try:
        RULES[kind.code].model.validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        seen = set()
        for case in exc.failure_cases.itertuples(index=False):
            if pd.isna(case.index):
                raise  # a schema-level failure (a column missing) is a bug in the normaliser, not bad input
            idx = case.index
            rule, at, template = CHECK_MESSAGES.get(case.check, ("invalid_value", None, "“{header}”的值不符合要求（{check}）。"))
            key = at or case.column
            if (idx, rule, key) in seen or (key in parsed.unreadable and parsed.unreadable[key][0].at[idx]):
                continue  # a frame-wide check lists every column; unreadable cells are already reported
            seen.add((idx, rule, key))
            name = kind.column(key).name
            where = locate(key, idx)
            problems.append(Problem("error", rule, template.format(header=where["column"] or name, name=name, check=case.check), **where))
            bad.at[idx] = True
    rows = typed[~bad].reset_index(drop=True)
    return Validated(rows, int(bad.sum()), problems)
