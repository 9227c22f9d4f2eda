"""Numbers out of Arrow arrays without pyarrow's ``to_numpy``.

pyarrow's conversions to numpy (``to_numpy``, ``np.asarray``, ``pa.array`` of numpy) import pandas
the first time any of them runs, to learn whether it is installed: 0.7 s, most of a command's
start-up, for a library the engine does not use. Reading the buffers directly costs nothing.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

FLOAT64 = pa.float64()


def float_values(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The values of a float64 column, NaN where null (read-only when nothing is null)."""
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    parts = [_chunk_values(chunk) for chunk in chunks]
    if not parts:
        return np.empty(0, dtype=np.float64)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _chunk_values(chunk: pa.Array) -> np.ndarray:
    if chunk.type != FLOAT64:
        raise TypeError(f"expected a float64 array, got {chunk.type}")
    validity, data = chunk.buffers()[:2]
    if len(chunk) == 0:
        return np.empty(0, dtype=np.float64)
    values = np.frombuffer(data, dtype=np.float64, count=len(chunk), offset=chunk.offset * 8)
    if chunk.null_count == 0:
        return values
    bits = np.unpackbits(
        np.frombuffer(validity, dtype=np.uint8), count=chunk.offset + len(chunk), bitorder="little"
    )
    return np.where(bits[chunk.offset :].astype(bool), values, np.nan)
