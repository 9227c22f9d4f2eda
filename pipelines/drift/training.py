"""Training data as the baseline reads it, from a pandas DataFrame or an Arrow table.

Both give, per column: whether it holds numbers or booleans, its values as float64 with NaN for
missing, and its category counts as requests spell them. The Arrow side needs no pandas, so a
baseline from a Parquet file is built without importing it.
"""

from __future__ import annotations

from collections import Counter
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sagestack_pipelines.drift.arrow_values import float_values

TRUE, FALSE = "true", "false"  # how booleans are spelled, in the baseline and in requests
MISSING_CATEGORY = ""  # an empty category is a missing value, in training data and requests
BOOLEAN_CATEGORIES = frozenset({TRUE, FALSE})


class TrainingColumns(Protocol):
    names: list[str]
    rows: int

    def kind(self, name: str) -> str:
        """ "numeric", "boolean" or "other"."""

    def dtype(self, name: str) -> str:
        """The column's type, as its library names it."""

    def numbers(self, name: str) -> np.ndarray:
        """float64 values, NaN where missing."""

    def categories(self, name: str) -> tuple[Counter[str], int]:
        """(count per category label, count of missing values)."""


def columns_of(data) -> TrainingColumns:
    if isinstance(data, pa.Table):
        return ArrowColumns(data)
    return FrameColumns(data)


class ArrowColumns:
    def __init__(self, table: pa.Table):
        self.table = table
        self.names = table.column_names
        self.rows = table.num_rows

    def kind(self, name: str) -> str:
        kind = self.table.schema.field(name).type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        if pa.types.is_boolean(kind):
            return "boolean"
        if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
            return "numeric"
        return "other"

    def dtype(self, name: str) -> str:
        return str(self.table.schema.field(name).type)

    def numbers(self, name: str) -> np.ndarray:
        return float_values(self.table[name].cast(pa.float64()))

    def categories(self, name: str) -> tuple[Counter[str], int]:
        column = self.table[name]
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        pairs = [
            (entry["values"], entry["counts"])
            for entry in pc.value_counts(column).to_pylist()
            if entry["values"] is not None
        ]
        counts = category_counts(pairs)
        return counts, column.null_count + counts.pop(MISSING_CATEGORY, 0)


class FrameColumns:
    def __init__(self, frame):
        self.frame = frame
        self.names = list(frame.columns)
        self.rows = len(frame)

    def kind(self, name: str) -> str:
        import pandas as pd

        column = self.frame[name]
        if pd.api.types.is_bool_dtype(column):
            return "boolean"
        if pd.api.types.is_numeric_dtype(column):
            return "numeric"
        present = column.dropna()
        if len(present) and present.map(lambda value: isinstance(value, bool | np.bool_)).all():
            return "boolean"  # an object column of True/False with missing values
        return "other"

    def dtype(self, name: str) -> str:
        return str(self.frame[name].dtype)

    def numbers(self, name: str) -> np.ndarray:
        return self.frame[name].to_numpy(dtype=np.float64, na_value=np.nan)

    def categories(self, name: str) -> tuple[Counter[str], int]:
        column = self.frame[name]
        present = column.dropna()
        pairs = [(value, int(count)) for value, count in present.value_counts().items()]
        counts = category_counts(pairs)
        return counts, len(column) - len(present) + counts.pop(MISSING_CATEGORY, 0)


def category_counts(pairs: list[tuple[object, int]]) -> Counter[str]:
    """Counts per category as requests spell it: booleans as ``true`` / ``false`` (JSON's
    spelling, where Python writes ``True``); a column of integer codes held as floats (pandas
    does that once one is missing) as ``1`` rather than ``1.0``, as CSV cells, JSON numbers and
    Arrow casts all spell them. Other floats keep their own spelling (``0.5``, ``1.0``)."""
    integral = bool(pairs) and all(
        isinstance(value, float | np.floating) and float(value).is_integer() and abs(value) < 2**53
        for value, _ in pairs
    )
    counts: Counter[str] = Counter()
    for value, count in pairs:
        if isinstance(value, bool | np.bool_):
            label = TRUE if value else FALSE
        else:
            label = str(int(value)) if integral else str(value)
        counts[label] += count
    return counts
