"""One chunk of requests as the window reads it, from an Arrow table or a pandas DataFrame.

A numeric feature comes out as float64 with NaN for missing values, a categorical one as counts
per category as requests spell them. A DataFrame is read where it lies (no conversion to Arrow:
for an in-memory window that conversion cost more than the statistics).
"""

from __future__ import annotations

from collections import Counter
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sagestack_pipelines.drift.arrow_values import float_values
from sagestack_pipelines.drift.training import MISSING_CATEGORY, category_counts


class Chunk(Protocol):
    num_rows: int
    column_names: list[str]

    def numbers(self, name: str) -> np.ndarray: ...

    def categories(self, name: str) -> tuple[Counter[str], int]: ...

    def without(self, rows: np.ndarray) -> Chunk: ...


def chunk_of(data) -> Chunk:
    if isinstance(data, pa.Table):
        return ArrowChunk(data)
    return FrameChunk(data)


def infinite_rows(chunk: Chunk, numeric_names) -> np.ndarray | None:
    """A mask of the rows holding an infinite value in a numeric feature; None if there is none.
    A finite sum shows a column has neither infinities nor NaN without a second pass over it."""
    mask = None
    for name in numeric_names:
        if name not in chunk.column_names:
            continue
        values = chunk.numbers(name)
        if np.isfinite(np.add.reduce(values)):
            continue
        infinite = np.isinf(values)
        if infinite.any():
            mask = infinite if mask is None else mask | infinite
    return mask


class ArrowChunk:
    def __init__(self, table: pa.Table):
        self.table = table
        self.num_rows = table.num_rows
        self.column_names = table.column_names
        self._numbers: dict[str, np.ndarray] = {}

    def numbers(self, name: str) -> np.ndarray:
        if name not in self._numbers:
            self._numbers[name] = _as_floats(name, self.table[name])
        return self._numbers[name]

    def categories(self, name: str) -> tuple[Counter[str], int]:
        column = self.table[name]
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            column = pc.cast(column, pa.string())
        counts: Counter[str] = Counter()
        for entry in pc.value_counts(column).to_pylist():
            if entry["values"] is not None:
                counts[entry["values"]] += entry["counts"]
        return counts, column.null_count + counts.pop(MISSING_CATEGORY, 0)

    def without(self, rows: np.ndarray) -> ArrowChunk:
        return ArrowChunk(self.table.filter(pa.array(~rows)))


def _as_floats(name: str, column: pa.ChunkedArray) -> np.ndarray:
    try:
        floats = column if column.type == pa.float64() else column.cast(pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise ValueError(
            f"numeric feature '{name}' holds values that are not numbers ({column.type}): {error}"
        ) from error
    return float_values(floats)


class FrameChunk:
    def __init__(self, frame):
        self.frame = frame
        self.num_rows = len(frame)
        self.column_names = list(frame.columns)
        self._numbers: dict[str, np.ndarray] = {}

    def numbers(self, name: str) -> np.ndarray:
        if name not in self._numbers:
            column = self.frame[name]
            try:
                if column.dtype == np.float64:  # NaN is already missing: no copy, no pass
                    values = column.to_numpy()
                else:
                    values = column.to_numpy(dtype=np.float64, na_value=np.nan)
            except (TypeError, ValueError) as error:
                raise ValueError(
                    f"numeric feature '{name}' holds values that are not numbers "
                    f"({column.dtype}): {error}"
                ) from error
            self._numbers[name] = values
        return self._numbers[name]

    def categories(self, name: str) -> tuple[Counter[str], int]:
        counts = self.frame[name].value_counts()
        pairs = [(value, int(count)) for value, count in counts.items()]
        labels = category_counts(pairs)
        return labels, self.num_rows - int(counts.sum()) + labels.pop(MISSING_CATEGORY, 0)

    def without(self, rows: np.ndarray) -> FrameChunk:
        return FrameChunk(self.frame[~rows])
