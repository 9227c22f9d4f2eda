"""Chunks of requests as Arrow tables, from plain CSV, Parquet or an in-memory DataFrame.

Every reader yields tables a bounded number of rows long, so a window of any size streams through
:class:`sagestack_pipelines.drift.window.Window` in flat memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sagestack_pipelines.drift.baseline import Baseline

CHUNK_BYTES = 16 << 20
CHUNK_ROWS = 250_000


def column_types(baseline: Baseline) -> dict[str, pa.DataType]:
    """The Arrow type each watched feature is read as."""
    types = {name: pa.float64() for name in baseline.numeric}
    types.update({name: pa.string() for name in baseline.categorical})
    return types


def csv_convert_options(baseline: Baseline) -> pacsv.ConvertOptions:
    # An empty categorical cell is a missing value, as it is for numbers.
    return pacsv.ConvertOptions(column_types=column_types(baseline), strings_can_be_null=True)


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
    parquet = pq.ParquetFile(path)
    present = [name for name in baseline.features if name in parquet.schema_arrow.names]
    for batch in parquet.iter_batches(batch_size=CHUNK_ROWS, columns=present):
        yield pa.Table.from_batches([batch])


def from_frame(frame: pd.DataFrame, baseline: Baseline) -> Iterator[pa.Table]:
    """An in-memory DataFrame, a slice at a time (no copy of the whole frame)."""
    present = [name for name in baseline.features if name in frame.columns]
    for start in range(0, len(frame), CHUNK_ROWS):
        yield pa.Table.from_pandas(
            frame.iloc[start : start + CHUNK_ROWS][present], preserve_index=False
        )
