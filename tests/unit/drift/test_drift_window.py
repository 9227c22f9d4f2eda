"""A window's counts do not depend on how they were made: on one core or two, in one batch or
in many, on values that fall on reference values and bin edges, tied or missing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sagestack_pipelines.drift import threads, window
from sagestack_pipelines.drift.baseline import build_baseline
from sagestack_pipelines.drift.comparison import Thresholds, compare
from sagestack_pipelines.drift.window import Window


def _training(rng: np.random.Generator) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "score": np.round(rng.normal(0, 1, 4_000), 1),  # ties: a few dozen distinct values
            "amount": rng.gamma(2.0, 10.0, 4_000),
            "plan": rng.choice(["basic", "pro", "team"], 4_000),
        }
    )


def _requests(rng: np.random.Generator, training: pd.DataFrame, rows: int) -> pd.DataFrame:
    """Values drawn partly from the training values themselves (on reference values and on the
    quantile edges they define), partly new, with NaN and a new category."""
    baseline = build_baseline(training, categorical=["plan"])
    edges = baseline.numeric["amount"].bin_edges
    amount = np.concatenate(
        [rng.choice(training["amount"], rows // 2), rng.gamma(2.2, 10.0, rows - rows // 2)]
    )
    amount[: len(edges)] = edges
    amount[rng.choice(rows, rows // 50, replace=False)] = np.nan
    score = np.round(rng.normal(0.1, 1, rows), 1)
    score[rng.choice(rows, rows // 40, replace=False)] = np.nan
    return pd.DataFrame(
        {"score": score, "amount": amount, "plan": rng.choice(["basic", "pro", "new"], rows)}
    )


def _state(counted: Window) -> dict:
    numeric = {
        name: (
            item.cells.tolist(),
            item.bin_counts.tolist(),
            (item.count, item.missing, item.minimum, item.maximum),
            (pytest.approx(item.mean, rel=1e-12), pytest.approx(item.std, rel=1e-12)),
        )
        for name, item in counted.numeric.items()
    }
    categories = {name: dict(item.category_counts) for name, item in counted.categorical.items()}
    return {"numeric": numeric, "categorical": categories, "rows": counted.rows}


def _counted(baseline, frame: pd.DataFrame, chunk_rows: int) -> Window:
    counted = Window(baseline)
    for start in range(0, len(frame), chunk_rows):
        counted.add(frame.iloc[start : start + chunk_rows])
    counted.finish()
    return counted


def test_counts_made_on_two_threads_equal_counts_made_on_one(rng, monkeypatch):
    training = _training(rng)
    baseline = build_baseline(training, categorical=["plan"])
    frame = _requests(rng, training, 200_000)  # chunks above PARALLEL_ROWS: counted in threads
    monkeypatch.setattr(threads, "THREADS", 2)
    on_two = _state(_counted(baseline, frame, chunk_rows=70_000))
    monkeypatch.setattr(threads, "THREADS", 1)
    on_one = _state(_counted(baseline, frame, chunk_rows=70_000))
    assert on_two == on_one
    assert on_one["numeric"]["amount"][2][1] == 4_000  # the NaN counted missing, not as values


def test_many_small_batches_count_as_one_batch_and_ks_equals_scipy(rng, monkeypatch):
    training = _training(rng)
    baseline = build_baseline(training, categorical=["plan"])
    frame = _requests(rng, training, 30_000)
    whole = _counted(baseline, frame, chunk_rows=len(frame))
    monkeypatch.setattr(window, "MIN_BATCH", 97)
    monkeypatch.setattr(window, "MAX_BATCH", 97)  # a batch sorted and searched every 97 values
    batched = _counted(baseline, frame, chunk_rows=37)  # chunks straddle batches
    assert _state(batched) == _state(whole)
    report = compare(batched, Thresholds(min_requests=1))
    for name in ("score", "amount"):
        feature = next(item for item in report.features if item.name == name)
        expected = stats.ks_2samp(training[name], frame[name].dropna())
        assert feature.distance == expected.statistic
        assert feature.test.p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)
