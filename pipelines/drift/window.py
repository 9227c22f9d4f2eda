"""A window of requests, summarised as it streams by: counts, never the values themselves.

Numeric features keep, per distinct reference value, how many current values fall strictly
between it and the previous one and how many equal it (from which the exact KS test reads its
counts), the count per PSI bin and running moments. Values wait in a batch of at least a few
times the reference's size, which is then sorted once and searched by every reference value:
the cost per value stays a sort's, however small the chunks that arrive. Categorical features
keep a count per category. Features are counted in parallel threads (numpy and Arrow release
the GIL). Memory depends on the baseline's size, not on the number of records.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from sagestack_pipelines.drift.baseline import (
    INTEGRAL,
    Baseline,
    CategoricalBaseline,
    NumericBaseline,
)
from sagestack_pipelines.drift.chunks import Chunk, chunk_of, infinite_rows
from sagestack_pipelines.drift.statistics import bin_counts
from sagestack_pipelines.drift.threads import parallel
from sagestack_pipelines.drift.training import BOOLEAN_CATEGORIES

# A batch holds at least this many values, and at least BATCH_PER_REFERENCE per reference value
# (searching K reference values costs about as much as sorting 10 K values: at 4 per reference
# value, searching took more time than sorting), at most MAX_BATCH (8 MB of float64 per feature).
MIN_BATCH, BATCH_PER_REFERENCE, MAX_BATCH = 1 << 18, 10, 1 << 20
PARALLEL_ROWS = 1 << 16  # smaller chunks are counted faster than threads take them over
_INT32_MAX = int(np.iinfo(np.int32).max)


class NumericWindow:
    def __init__(self, baseline: NumericBaseline):
        self.baseline = baseline
        self.distinct = baseline.distinct
        # Cell 2j counts current values strictly between distinct reference values j-1 and j
        # (cell 0: below the smallest), cell 2j+1 those equal to value j, cell 2K above the largest.
        # int32 halves the largest state the engine keeps; widened before a count could overflow.
        self.cells = np.zeros(2 * len(self.distinct) + 1, dtype=np.int32)
        self.bin_counts = np.zeros(len(baseline.bin_edges) + 1, dtype=np.int64)
        self.count = 0
        self.missing = 0
        self.not_whole = 0  # values that are not whole numbers, counted for Integral baselines
        self.mean = 0.0
        self._squared_deviations = 0.0
        self.minimum = np.inf
        self.maximum = -np.inf
        # Values wait here (copied: a chunk's table is freed at once) until the batch is full.
        self._batch: np.ndarray | None = None
        self._filled = 0
        self._batch_limit = min(max(MIN_BATCH, BATCH_PER_REFERENCE * len(self.distinct)), MAX_BATCH)

    @property
    def reference_at_or_below(self) -> np.ndarray:
        """How many reference values are <= each distinct reference value."""
        counts = self.baseline.distinct_counts
        return np.arange(1, len(self.distinct) + 1) if counts is None else np.cumsum(counts)

    @property
    def reference_below(self) -> np.ndarray:
        """How many reference values are < each distinct reference value."""
        counts = self.baseline.distinct_counts
        return np.arange(len(self.distinct)) if counts is None else np.cumsum(counts) - counts

    def add(self, values: np.ndarray) -> None:
        """Count float64 values (NaN: missing); infinite values must have been taken out."""
        present = values
        if not np.isfinite(np.add.reduce(values)):  # a finite sum: nothing is missing
            missing = np.isnan(values)
            missing_count = int(np.count_nonzero(missing))
            self.missing += missing_count
            present = values[~missing] if missing_count else values
        if self._filled == 0 and len(present) >= self._batch_limit:
            self._count(np.sort(present))  # a batch on its own: no copy into the buffer
            return
        start = 0
        while start < len(present):
            if self._batch is None:
                self._batch = np.empty(self._batch_limit, dtype=np.float64)
            taken = min(len(present) - start, self._batch_limit - self._filled)
            self._batch[self._filled : self._filled + taken] = present[start : start + taken]
            self._filled += taken
            start += taken
            if self._filled == self._batch_limit:
                self.flush()

    def flush(self) -> None:
        """Count the values waiting in the batch."""
        if self._filled:
            waiting = self._batch[: self._filled]
            waiting.sort()
            self._filled = 0
            self._count(waiting)

    def _count(self, present: np.ndarray) -> None:
        """Count sorted present values."""
        self._count_cells(present)
        self.bin_counts += bin_counts(present, self.baseline.bin_edges)
        if self.baseline.inferred_type == INTEGRAL:
            self.not_whole += int(np.count_nonzero(present != np.floor(present)))
        self._add_moments(present)

    def _count_cells(self, present: np.ndarray) -> None:
        if self.cells.dtype == np.int32 and self.count + len(present) > _INT32_MAX:
            self.cells = self.cells.astype(np.int64)
        # Search whichever side is shorter: every reference value among the sorted batch, or
        # (a batch much smaller than the reference) each value among the reference values.
        if len(present) >= len(self.distinct) // 2:
            below = np.searchsorted(present, self.distinct, side="left")
            cumulative = np.empty(len(self.cells), dtype=np.int64)
            cumulative[0:-1:2] = below
            cumulative[1::2] = _at_or_below(present, self.distinct, below)
            cumulative[-1] = len(present)
            self.cells += np.diff(cumulative, prepend=0).astype(self.cells.dtype)
        else:
            # Distinct values are unique, so a value equal to one sits one past its left position.
            below = np.searchsorted(self.distinct, present, side="left")
            inside = np.minimum(below, len(self.distinct) - 1)
            equal = (below < len(self.distinct)) & (self.distinct[inside] == present)
            self.cells += np.bincount(2 * below + equal, minlength=len(self.cells)).astype(
                self.cells.dtype
            )

    def current_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """How many current values are <= each distinct reference value, and how many <."""
        cumulative = np.cumsum(self.cells, dtype=np.int64)
        return cumulative[1::2], cumulative[0:-1:2]

    def _add_moments(self, present: np.ndarray) -> None:
        # Chan et al.'s pairwise update across batches. Within a batch the squares come from one
        # pass (no copy of the batch): values far from zero relative to their spread lose digits,
        # which the report's four significant figures of std never show. einsum, not np.dot:
        # BLAS's own threads fight the window's for the cores.
        size = len(present)
        batch_mean = float(np.add.reduce(present)) / size
        squares = float(np.einsum("i,i->", present, present))
        batch_squares = max(squares - size * batch_mean * batch_mean, 0.0)
        total = self.count + size
        delta = batch_mean - self.mean
        self.mean += delta * size / total
        self._squared_deviations += batch_squares + delta * delta * self.count * size / total
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


class CategoricalWindow:
    def __init__(self, baseline: CategoricalBaseline):
        self.baseline = baseline
        self.category_counts: Counter[str] = Counter()
        self.count = 0
        self.missing = 0

    def add(self, counts: Counter[str], missing: int) -> None:
        self.missing += missing
        if self.baseline.boolean:
            counts = _booleans_spelled_once(counts)
        self.category_counts.update(counts)
        self.count += sum(counts.values())


def _booleans_spelled_once(counts: Counter[str]) -> Counter[str]:
    """``True``, ``TRUE`` and ``true`` as one category, as the baseline spells it."""
    spelled: Counter[str] = Counter()
    for label, count in counts.items():
        lowered = label.lower()
        spelled[lowered if lowered in BOOLEAN_CATEGORIES else label] += count
    return spelled


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
        self.present_features: set[str] = set()
        self.extra_columns: set[str] = set()
        self.infinite_rows = 0  # rows left out for an infinite value (plain CSV, Parquet, frames)
        self.infinite_values: Counter[str] = Counter()  # per feature

    def add(self, data) -> None:
        """Count one chunk of records (an Arrow table or a pandas DataFrame); a watched feature
        absent from it counts as missing, a column the baseline lacks as an extra column."""
        chunk = chunk_of(data)
        chunk = self._without_infinite_rows(chunk)
        self.rows += chunk.num_rows
        self.extra_columns.update(set(chunk.column_names) - set(self.baseline.features))
        calls = []
        for name, window in (*self.numeric.items(), *self.categorical.items()):
            if name not in chunk.column_names:
                self.absent_features.add(name)
                window.missing += chunk.num_rows
                continue
            self.present_features.add(name)
            calls.append(lambda name=name, window=window: self._count(name, window, chunk))
        parallel(calls, threads=chunk.num_rows >= PARALLEL_ROWS)

    @staticmethod
    def _count(name: str, window: NumericWindow | CategoricalWindow, chunk: Chunk) -> None:
        if isinstance(window, NumericWindow):
            window.add(chunk.numbers(name))
        else:
            window.add(*chunk.categories(name))

    def _without_infinite_rows(self, chunk: Chunk) -> Chunk:
        infinite = infinite_rows(chunk, self.numeric)
        if infinite is None:
            return chunk
        for name in self.numeric:
            if name in chunk.column_names:
                self.infinite_values[name] += int(np.count_nonzero(np.isinf(chunk.numbers(name))))
        self.infinite_rows += int(np.count_nonzero(infinite))
        return chunk.without(infinite)

    def finish(self) -> None:
        """Count what still waits in the numeric features' batches."""
        parallel([window.flush for window in self.numeric.values()])

    @property
    def absent(self) -> set[str]:
        """Watched features absent from every chunk of the window."""
        return self.absent_features - self.present_features
