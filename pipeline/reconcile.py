"""Registers across files: one request (or case) however many registers list it.

A row that adds the answer (答复日期 with its result) to a request another row
shows as pending updates it, whichever file comes first. Rows that disagree
otherwise are a conflict: an error on the later row (by file, sheet, row) that
names both places; the earlier row counts. Service figures: one row per
(年度, 事项), a later row for the same pair is a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.kinds import APPLICANTS, CASE_RESULTS, CASE_TYPES, SERVICE_ITEMS
from pipeline.load import insert_frame
from pipeline.problems import Problem, cell_text


@dataclass(frozen=True)
class CaseSpec:
    rows_table: str
    cases_table: str
    id: str
    fixed: tuple[str, ...]  # must agree between every listing
    done: str  # the date that closes the case
    done_fields: tuple[str, ...]  # set together with `done`
    labels: dict[str, str]  # column key → official name, for messages
    what: str  # 申请 / 案件


REQUESTS = CaseSpec(
    "request_rows", "requests", "request_id", ("received", "applicant"), "answered", ("outcome", "fee"),
    {"request_id": "申请编号", "received": "收到日期", "applicant": "申请人类型", "answered": "答复日期", "outcome": "办理结果", "fee": "收费金额"},
    "申请",
)
APPEALS = CaseSpec(
    "appeal_rows", "appeal_cases", "case_id", ("case_type", "received"), "concluded", ("result",),
    {"case_id": "案件编号", "case_type": "类型", "received": "收到日期", "concluded": "审结日期", "result": "结果"},
    "案件",
)
LINEAGE = ["file", "sheet", "sheet_no", "excel_row"]
# Listing order: file path, then the sheet's position in the workbook, then the row.
ORDER = ["file", "sheet_no", "excel_row"]
# Stored code → the official name shown to the clerk (the first spelling listed for a code).
NAMES = {
    key: {code: name for name, code in reversed(spellings.items())}
    for key, spellings in {"applicant": APPLICANTS, "case_type": CASE_TYPES, "result": CASE_RESULTS, "item": SERVICE_ITEMS}.items()
}


def _same(a, b) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    if pd.isna(a) or pd.isna(b):
        return False
    return a == b


def _shown(row, key: str) -> str:
    """A compared value as the clerk reads it: 办理结果 as written, names not codes, dates without a time."""
    value = row[key]
    if pd.isna(value):
        return ""
    if key == "outcome" and isinstance(row.get("outcome_text"), str):
        return row["outcome_text"]
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return NAMES.get(key, {}).get(value) or cell_text(value)


def _place(row) -> str:
    sheet = f"（{row['sheet']}）" if row["sheet"] else ""
    return f"{row['file']}{sheet}第 {row['excel_row']} 行"


def merge_cases(rows: pd.DataFrame, spec: CaseSpec) -> tuple[pd.DataFrame, list[Problem]]:
    """One record per id from rows ordered by file, sheet, row; conflicts become errors."""
    problems: list[Problem] = []
    records: list[dict] = []
    if spec is REQUESTS:
        rows = rows.assign(fee=rows["fee"].fillna(0.0))  # an empty 收费金额 means nothing was charged
    ordered = rows.sort_values(ORDER)
    many = ordered[spec.id].duplicated(keep=False)
    for _, group in ordered[many].groupby(spec.id, sort=True):
        listed = group.to_dict("records")
        record = dict(listed[0])
        record["listings"] = 1
        for later in listed[1:]:
            clash = [k for k in spec.fixed if not _same(record[k], later[k])]
            if not clash and not pd.isna(record[spec.done]) and not pd.isna(later[spec.done]):
                clash = [k for k in (spec.done, *spec.done_fields) if not _same(record[k], later[k])]
            if clash:
                names = "、".join(spec.labels[k] for k in clash)
                both = "；".join(f"{spec.labels[k]}此处为“{_shown(later, k)}”，该处为“{_shown(record, k)}”" for k in clash)
                problems.append(Problem(
                    "error", "register_conflict",
                    f"{spec.labels[spec.id]} {later[spec.id]} 在 {_place(record)} 也有登记，但{names}不一致（{both}）。"
                    f"按较早的登记统计、不重复计数；请核对后把两处改为一致。",
                    file=later["file"], sheet=later["sheet"], row=int(later["excel_row"]),
                    column=spec.labels[clash[0]], value=_shown(later, clash[0]),
                ))
                continue
            record["listings"] += 1
            if pd.isna(record[spec.done]) and not pd.isna(later[spec.done]):
                for k in (spec.done, *spec.done_fields, *LINEAGE):
                    record[k] = later[k]  # the answer lands on the listing that gives it
        records.append(record)
    merged = pd.DataFrame.from_records(records, columns=[*rows.columns, "listings"])
    merged = pd.concat([ordered[~many].assign(listings=1), merged], ignore_index=True).sort_values(spec.id, kind="stable", ignore_index=True)
    return merged, problems


def services(rows: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """One row per (年度, 事项); a later row for the same pair is a conflict error."""
    ordered = rows.sort_values(ORDER)
    dup = ordered.duplicated(["year", "item"], keep="first")
    firsts = ordered[~dup].set_index(["year", "item"])
    problems = []
    for later in ordered[dup].to_dict("records"):
        first = firsts.loc[(later["year"], later["item"])]
        problems.append(Problem(
            "error", "service_conflict",
            f"{later['year']}年“{_shown(later, 'item')}”在 {_place(first)} 已有一行，同一年度同一事项只能有一行。按较早的一行统计；请删除或合并重复的行。",
            file=later["file"], sheet=later["sheet"], row=int(later["excel_row"]), column="事项", value=_shown(later, "item"),
        ))
    return ordered[~dup].reset_index(drop=True), problems


def rebuild(con) -> list[Problem]:
    """Rebuild the reconciled tables requests, appeal_cases and services from the register rows."""
    problems: list[Problem] = []
    for spec in (REQUESTS, APPEALS):
        rows = con.execute(f"select * from {spec.rows_table}").df()
        merged, found = merge_cases(rows, spec)
        problems += found
        _replace(con, spec.cases_table, spec.rows_table, merged.drop(columns="listings"))
    kept, found = services(con.execute("select * from service_rows").df())
    problems += found
    _replace(con, "services", "service_rows", kept)
    return problems


def _replace(con, table: str, like: str, frame: pd.DataFrame) -> None:
    """(Re)create `table` with the column types of `like` and fill it from a frame."""
    con.execute(f"create or replace table {table} as select * from {like} limit 0")
    insert_frame(con, table, frame)
