"""One pandera DataFrameModel per input kind, over the normalised (typed) rows.

Every model carries the lineage columns (file, sheet, row) so that each failure
points at a cell. Unreadable cells are already NA here (validate.py reports
them); these models state the contract of an accepted row.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series


class Lineage(pa.DataFrameModel):
    """Where a row came from: file relative to the raw folder, sheet, Excel row."""

    file: Series[str]
    sheet: Series[str]
    sheet_no: Series[int]
    excel_row: Series[int] = pa.Field(ge=1)

    class Config:
        strict = False
        coerce = False


class PublishedItem(Lineage):
    """One row per published item of one channel (publication log)."""

    channel: Series[str]
    published: Series[pd.Timestamp] = pa.Field(nullable=False)
    title: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})
    category: Series[str] = pa.Field(nullable=True)
    link: Series[str] = pa.Field(nullable=True)


class RequestRow(Lineage):
    """One row per request as listed in one register (a request may be listed in several)."""

    request_id: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})
    received: Series[pd.Timestamp] = pa.Field(nullable=False)
    applicant: Series[str] = pa.Field(nullable=False, isin=["natural_person", "business", "research", "nonprofit", "legal_services", "other_org"])
    answered: Series[pd.Timestamp] = pa.Field(nullable=True)
    outcome: Series[str] = pa.Field(nullable=True)
    fee: Series[pd.Float64Dtype] = pa.Field(nullable=True, ge=0)

    @pa.dataframe_check
    def answered_not_before_received(cls, df: pd.DataFrame) -> pd.Series:
        return df["answered"].isna() | df["received"].isna() | (df["answered"] >= df["received"])

    @pa.dataframe_check
    def outcome_when_answered(cls, df: pd.DataFrame) -> pd.Series:
        return df["answered"].isna() | df["outcome"].notna()


class AppealRow(Lineage):
    """One row per administrative review or lawsuit case as listed in one register."""

    case_id: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})
    case_type: Series[str] = pa.Field(nullable=False, isin=["review", "lit_direct", "lit_after_review"])
    received: Series[pd.Timestamp] = pa.Field(nullable=False)
    concluded: Series[pd.Timestamp] = pa.Field(nullable=True)
    result: Series[str] = pa.Field(nullable=True, isin=["upheld", "corrected", "other"])

    @pa.dataframe_check
    def concluded_not_before_received(cls, df: pd.DataFrame) -> pd.Series:
        return df["concluded"].isna() | df["received"].isna() | (df["concluded"] >= df["received"])

    @pa.dataframe_check
    def result_when_concluded(cls, df: pd.DataFrame) -> pd.Series:
        return df["concluded"].isna() | df["result"].notna()


class DocumentRow(Lineage):
    """One row per rule or normative document in the documents register."""

    name: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})
    doc_no: Series[str] = pa.Field(nullable=True)
    category: Series[str] = pa.Field(nullable=False, isin=["rules", "normative_docs"])
    made: Series[pd.Timestamp] = pa.Field(nullable=False)
    published: Series[pd.Timestamp] = pa.Field(nullable=True)
    repealed: Series[pd.Timestamp] = pa.Field(nullable=True)


class ServiceRow(Lineage):
    """One row per (year, item) pair of yearly service figures."""

    year: Series[pd.Int64Dtype] = pa.Field(nullable=False, ge=1900, le=2999)
    item: Series[str] = pa.Field(nullable=False, isin=["licensing", "other_services", "penalty", "enforcement", "fees", "procurement"])
    items: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    decisions: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    amount: Series[pd.Float64Dtype] = pa.Field(nullable=True, ge=0)
