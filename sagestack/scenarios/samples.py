"""Generated requests for the loop: a training sample and a window with one feature shifted.

Features are independent normals, so shifting one moves that feature's drift and no other's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

TRAINING_ROWS = 5_000
WINDOW_ROWS = 5_000  # above the drift engine's smallest judged window (2,902 requests)
SHIFT_IN_STANDARD_DEVIATIONS = 1.5


def _frame(features: Sequence[str], rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {name: rng.normal(50.0 + 10.0 * i, 10.0, rows).round(2) for i, name in enumerate(features)}
    )


def training_sample(
    features: Sequence[str], rows: int = TRAINING_ROWS, seed: int = 7
) -> pd.DataFrame:
    return _frame(features, rows, seed)


def request_window(
    features: Sequence[str],
    shifted: str | None = None,
    rows: int = WINDOW_ROWS,
    seed: int = 11,
) -> pd.DataFrame:
    """Requests from the training distribution, with ``shifted`` (if any) moved up by
    :data:`SHIFT_IN_STANDARD_DEVIATIONS` of its spread."""
    frame = _frame(features, rows, seed)
    if shifted is not None:
        if shifted not in frame.columns:
            raise ValueError(f"feature '{shifted}' is invalid: expected one of {list(features)}")
        frame[shifted] = frame[shifted] + SHIFT_IN_STANDARD_DEVIATIONS * 10.0
    return frame
