"""Chunks of requests from plain CSV, Parquet or an in-memory DataFrame.

Every reader yields chunks a bounded number of rows long, so a window of any size streams through
:class:`sagestack_pipelines.drift.window.Window` in flat memory. Columns the baseline lacks are
kept: the window reports them as extra columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from sagestack_pipelines.drift.baseline import Baseline

CHUNK_BYTES = 16 << 20
CHUNK_ROWS = 250_000
FRAME_CHUNK_ROWS = 1_000_000  # a DataFrame is in memory already: larger slices sort faster


def column_types(baseline: Baseline) -> dict[str, pa.DataType]:
    """The Arrow type each watched feature is read as."""
    types = {name: pa.float64() for name in baseline.numeric}
    types.update({name: pa.string() for name in baseline.categorical})
    return types


def csv_convert_options(baseline: Baseline) -> pacsv.ConvertOptions:
    # An empty categorical cell reads as "" (cheaper than strings_can_be_null): the window counts
    # it missing, as an empty number is.
    return pacsv.ConvertOptions(column_types=column_types(baseline))


def read_csv(path: str | Path, baseline: Baseline) -> Iterator[pa.Table]:
    """A CSV file with a header row naming the features."""
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=CHUNK_BYTES),
        convert_options=csv_convert_options(baseline),
    )
    for batch in reader:
        yield pa.Table.from_batches([batch])


def read_parquet(path: str | Path, baseline: Baseline) -> Iterator[pa.Table]:
    import pyarrow.parquet as pq

    for batch in pq.ParquetFile(path).iter_batches(batch_size=CHUNK_ROWS):
        yield pa.Table.from_batches([batch])


def from_frame(frame, baseline: Baseline) -> Iterator:
    """An in-memory pandas DataFrame, a slice at a time, read where it lies (no copy)."""
    for start in range(0, len(frame), FRAME_CHUNK_ROWS):
        yield frame.iloc[start : start + FRAME_CHUNK_ROWS]
