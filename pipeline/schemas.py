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
