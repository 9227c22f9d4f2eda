"""A window of requests, summarised as it streams by: counts, never the values themselves.

Numeric features keep, per distinct reference value, how many current values fall strictly
between it and the previous one and how many equal it (from which the exact KS test reads its
counts), the count per PSI bin and running moments; each chunk is sorted once, then binary-searched
against the reference values from whichever side is shorter. Categorical features keep a count
per category. Memory depends on the baseline's size, not on the number of records.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sagestack_pipelines.drift.baseline import Baseline, CategoricalBaseline, NumericBaseline
from sagestack_pipelines.drift.statistics import bin_counts


class NumericWindow:
    def __init__(self, baseline: NumericBaseline):
        self.baseline = baseline
        self.distinct, self._reference_counts = _distinct(baseline.reference_sample)
        # Cell 2j counts current values strictly between distinct reference values j-1 and j
        # (cell 0: below the smallest), cell 2j+1 those equal to value j, cell 2K above the largest.
        # int32 halves the largest state the engine keeps; widened before a count could overflow.
        self.cells = np.zeros(2 * len(self.distinct) + 1, dtype=np.int32)
        self.bin_counts = np.zeros(len(baseline.bin_edges) + 1, dtype=np.int64)
        self.count = 0
        self.missing = 0
        self.mean = 0.0
        self._squared_deviations = 0.0
        self.minimum = np.inf
        self.maximum = -np.inf

    @property
    def reference_at_or_below(self) -> np.ndarray:
        """How many reference values are <= each distinct reference value."""
        if self._reference_counts is None:
            return np.arange(1, len(self.distinct) + 1)
        return np.cumsum(self._reference_counts)

    @property
    def reference_below(self) -> np.ndarray:
        """How many reference values are < each distinct reference value."""
        if self._reference_counts is None:
            return np.arange(len(self.distinct))
        return np.cumsum(self._reference_counts) - self._reference_counts

    def add(self, values: np.ndarray) -> None:
        missing = np.isnan(values)
        present = np.sort(values[~missing]) if missing.any() else np.sort(values)
        self.missing += int(missing.sum())
        if len(present) == 0:
            return
        self._count_cells(present)
        self.bin_counts += bin_counts(present, self.baseline.bin_edges)
        self._add_moments(present)

    def _count_cells(self, present: np.ndarray) -> None:
        if self.cells.dtype == np.int32 and self.count + len(present) > np.iinfo(np.int32).max:
            self.cells = self.cells.astype(np.int64)
        # Look up whichever side is shorter: a large chunk's counts below and at each reference
        # value, or a small chunk's values among the reference values.
        if len(present) >= len(self.distinct) // 2:
            below = np.searchsorted(present, self.distinct, side="left")
            cumulative = np.empty(len(self.cells), dtype=np.int64)
            cumulative[0:-1:2] = below
            cumulative[1::2] = _at_or_below(present, self.distinct, below)
            cumulative[-1] = len(present)
            self.cells += np.diff(cumulative, prepend=0)
        else:
            # Distinct values are unique, so a value equal to one sits one past its left position.
            below = np.searchsorted(self.distinct, present, side="left")
            inside = np.minimum(below, len(self.distinct) - 1)
            equal = (below < len(self.distinct)) & (self.distinct[inside] == present)
            self.cells += np.bincount(2 * below + equal, minlength=len(self.cells))

    @property
    def current_below(self) -> np.ndarray:
        """How many current values are < each distinct reference value."""
        return np.cumsum(self.cells, dtype=np.int64)[0:-1:2]

    @property
    def current_at_or_below(self) -> np.ndarray:
        """How many current values are <= each distinct reference value."""
        return np.cumsum(self.cells, dtype=np.int64)[1::2]

    def _add_moments(self, present: np.ndarray) -> None:
        # Chan et al.'s pairwise update: exact enough over millions of values, one pass per chunk.
        size = len(present)
        chunk_mean = float(present.mean())
        chunk_squares = float(np.square(present - chunk_mean).sum())
        total = self.count + size
        delta = chunk_mean - self.mean
        self.mean += delta * size / total
        self._squared_deviations += chunk_squares + delta * delta * self.count * size / total
        self.count = total
        self.minimum = min(self.minimum, float(present[0]))
        self.maximum = max(self.maximum, float(present[-1]))

    @property
    def std(self) -> float:
        return (self._squared_deviations / self.count) ** 0.5 if self.count else float("nan")


def _at_or_below(sorted_values: np.ndarray, queries: np.ndarray, below: np.ndarray) -> np.ndarray:
    """``searchsorted(sorted_values, queries, "right")`` given the "left" answer ``below``: the
    two differ only where a query equals a value, so only those queries are searched again."""
    at_or_below = below.copy()
    inside = np.flatnonzero(below < len(sorted_values))
    ties = inside[sorted_values[below[inside]] == queries[inside]]
    at_or_below[ties] = np.searchsorted(sorted_values, queries[ties], side="right")
    return at_or_below


def _distinct(sorted_sample: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The distinct values of a sorted sample and how often each occurs (None: once each).

    Without ties the sample itself is the distinct values, so no second copy is kept.
    """
    if len(sorted_sample) < 2 or bool(np.all(sorted_sample[1:] != sorted_sample[:-1])):
        return sorted_sample, None
    distinct, counts = np.unique(sorted_sample, return_counts=True)
    return distinct, counts


class CategoricalWindow:
    def __init__(self, baseline: CategoricalBaseline):
        self.baseline = baseline
        self.category_counts: Counter[str] = Counter()
        self.count = 0
        self.missing = 0

    def add(self, values: pa.ChunkedArray | pa.Array) -> None:
        self.missing += values.null_count
        for entry in pc.value_counts(values).to_pylist():
            if entry["values"] is not None:
                self.category_counts[entry["values"]] += entry["counts"]
                self.count += entry["counts"]


class Window:
    """Every watched feature's counts over the records seen so far."""

    def __init__(self, baseline: Baseline):
        self.baseline = baseline
        self.numeric = {name: NumericWindow(item) for name, item in baseline.numeric.items()}
        self.categorical = {
            name: CategoricalWindow(item) for name, item in baseline.categorical.items()
        }
        self.rows = 0
        self.absent_features: set[str] = set()

    def add(self, table: pa.Table) -> None:
        """Count one chunk of records; a watched feature absent from it counts as missing."""
        self.rows += table.num_rows
        for name, window in self.numeric.items():
            if name not in table.column_names:
                self._absent(name, window, table.num_rows)
                continue
            window.add(_as_floats(name, table[name]))
        for name, window in self.categorical.items():
            if name not in table.column_names:
                self._absent(name, window, table.num_rows)
                continue
            window.add(_as_strings(table[name]))

    def _absent(self, name: str, window: NumericWindow | CategoricalWindow, rows: int) -> None:
        self.absent_features.add(name)
        window.missing += rows


def _as_floats(name: str, column: pa.ChunkedArray) -> np.ndarray:
    if pa.types.is_floating(column.type) or pa.types.is_integer(column.type):
        floats = column.cast(pa.float64())
    else:
        try:
            floats = pc.cast(column, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            raise ValueError(
                f"numeric feature '{name}' holds values that are not numbers "
                f"({column.type}): {error}"
            ) from error
    return floats.to_numpy() if floats.null_count == 0 else floats.fill_null(np.nan).to_numpy()


def _as_strings(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column
    if pa.types.is_dictionary(column.type):
        return column.cast(pa.string())
    return pc.cast(column, pa.string())
