"""A population of five features (normal, skewed, whole numbers, categories, booleans) and windows
drawn from it: as requests (a DataFrame), or, for windows of millions of requests, directly as
the counts the drift window keeps (a multinomial draw over its cells and bins, as many requests
would land there), so a ten-million-request window costs milliseconds.

Not in conftest.py: with tests/program collected in the same run, ``import conftest`` finds
whichever conftest module pytest loaded first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sagestack_pipelines.drift.baseline import Baseline, NumericBaseline, build_baseline
from sagestack_pipelines.drift.window import Window

PLANS = np.array(["basic", "plus", "pro", "team", "school", "legacy"], dtype=object)
PLAN_WEIGHTS = np.array([0.35, 0.25, 0.15, 0.12, 0.08, 0.05])
ACTIVE_SHARE = 0.7
FEATURES = ["age", "amount", "visits", "plan", "active"]
CATEGORICAL = ["plan"]  # "active" is boolean: categorical without being listed


def population(rng: np.random.Generator, rows: int, **changes) -> pd.DataFrame:
    """``rows`` requests; ``changes``: ``age_shift`` and ``age_scale`` (in standard deviations),
    ``plan_weights``."""
    spread = 10.0 * changes.get("age_scale", 1.0)
    return pd.DataFrame(
        {
            "age": 40.0 + 10.0 * changes.get("age_shift", 0.0) + spread * rng.standard_normal(rows),
            "amount": rng.lognormal(3.0, 0.8, rows),
            "visits": rng.poisson(3.0, rows).astype(float),
            "plan": rng.choice(PLANS, rows, p=changes.get("plan_weights", PLAN_WEIGHTS)),
            "active": rng.random(rows) < ACTIVE_SHARE,
        }
    )


def training_baseline(rows: int = 100_000, seed: int = 2024) -> Baseline:
    return build_baseline(population(np.random.default_rng(seed), rows), categorical=CATEGORICAL)


# --- windows drawn as counts ------------------------------------------------------------------

_CONTINUOUS = {"age": stats.norm(40.0, 10.0), "amount": stats.lognorm(0.8, scale=np.exp(3.0))}


def counted_window(baseline: Baseline, rng: np.random.Generator, rows: int) -> Window:
    """A window of ``rows`` requests from the population, drawn as counts."""
    window = Window(baseline)
    window.rows = rows
    window.present_features.update(FEATURES)
    for name in ("age", "amount"):
        _draw_continuous(window.numeric[name], rng, rows, _CONTINUOUS[name])
    _draw_whole_numbers(window.numeric["visits"], rng, rows, stats.poisson(3.0))
    _draw_categories(
        window.categorical["plan"], rng, rows, dict(zip(PLANS, PLAN_WEIGHTS, strict=True))
    )
    shares = {"true": ACTIVE_SHARE, "false": 1 - ACTIVE_SHARE}
    _draw_categories(window.categorical["active"], rng, rows, shares)
    return window


def _draw_continuous(window, rng, rows: int, distribution) -> None:
    """Values between reference points, never on one (they have probability 0)."""
    masses, cells, uppers = _intervals(window.baseline, distribution)
    _fill(window, rng.multinomial(rows, masses), cells, uppers, distribution)


_INTERVALS: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def _intervals(item: NumericBaseline, distribution):
    """Each interval between cell and bin boundaries: its probability, cell and upper bound."""
    key = (id(item), id(distribution))
    if key not in _INTERVALS:
        points = np.union1d(item.distinct, item.bin_edges)
        masses = np.diff(distribution.cdf(points), prepend=0.0, append=1.0)
        uppers = np.append(points, np.inf)
        # interval i lies below uppers[i]: its cell is the one below the next reference value
        cells = 2 * np.searchsorted(item.distinct, uppers, side="left")
        _INTERVALS[key] = (masses / masses.sum(), cells, uppers)
    return _INTERVALS[key]


def _draw_whole_numbers(window, rng, rows: int, distribution) -> None:
    """Values on whole numbers only: each lands on a reference value or between two."""
    item: NumericBaseline = window.baseline
    support = np.arange(0, int(distribution.ppf(1 - 1e-12)) + 1, dtype=float)
    masses = distribution.pmf(support)
    counts = rng.multinomial(rows, masses / masses.sum())
    position = np.searchsorted(item.distinct, support, side="left")
    inside = np.minimum(position, len(item.distinct) - 1)
    on_reference = (position < len(item.distinct)) & (item.distinct[inside] == support)
    _fill(window, counts, 2 * position + on_reference, support, distribution)


def _fill(window, counts: np.ndarray, cells: np.ndarray, uppers: np.ndarray, distribution) -> None:
    item: NumericBaseline = window.baseline
    window.cells = np.bincount(cells, weights=counts, minlength=len(window.cells)).astype(np.int64)
    # a value at or below an upper bound u lands in bin searchsorted(edges, u, "left")
    bins = np.searchsorted(item.bin_edges, uppers, side="left")
    window.bin_counts = np.bincount(bins, weights=counts, minlength=len(window.bin_counts))
    window.bin_counts = window.bin_counts.astype(np.int64)
    rows = int(counts.sum())
    window.count = rows
    window.mean = float(distribution.mean())
    window._squared_deviations = float(distribution.var()) * rows
    window.minimum, window.maximum = (float(x) for x in distribution.ppf([1e-9, 1 - 1e-9]))


def _draw_categories(window, rng, rows: int, shares: dict[str, float]) -> None:
    counts = rng.multinomial(rows, list(shares.values()))
    window.category_counts.update(dict(zip(shares, (int(c) for c in counts), strict=True)))
    window.count = rows
