"""Drift statistics computed from counts, so a window of any size is summarised in flat memory.

- PSI over reference bins plus a "missing" bin, with empty fractions floored at
  :data:`PSI_EPSILON`: a feature that goes missing moves its share into that bin, so it scores.
- The two-sample Kolmogorov-Smirnov test from the reference values and the current window's
  counts below / at each distinct reference value: the supremum of the ECDF difference is
  reached at a reference value or just below one, so those counts give ``scipy.stats.ks_2samp``'s
  statistic exactly. The p-value follows ks_2samp's ``method="auto"``: exact when both samples
  have at most 10,000 values, Smirnov's asymptotic distribution otherwise.
- The chi-square test of independence on the two samples' category counts (a 2 x k table), which
  treats both samples as samples, unlike a goodness-of-fit against reference frequencies.
- The total variation distance between two category distributions: the largest share of
  requests any set of categories gained or lost, the categorical counterpart of the KS statistic.

scipy is imported only when a p-value is computed: a run reads its whole window first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# A bin empty in one sample would make PSI infinite; its fraction counts as this instead.
PSI_EPSILON = 1e-4
# ks_2samp's method="auto" is exact up to this many values in the larger sample.
KS_EXACT_MAX_N = 10_000


@dataclass(frozen=True)
class TestResult:
    """A test statistic, its p-value and how the p-value was computed."""

    statistic: float
    p_value: float
    method: str


NO_TEST = TestResult(0.0, 1.0, "no values")


def psi(reference_fractions: np.ndarray, current_fractions: np.ndarray) -> float:
    """Population stability index: the sum over bins of (cur - ref) * ln(cur / ref)."""
    reference = np.maximum(np.asarray(reference_fractions, dtype=float), PSI_EPSILON)
    current = np.maximum(np.asarray(current_fractions, dtype=float), PSI_EPSILON)
    return float(np.sum((current - reference) * np.log(current / reference)))


def with_missing(value_fractions: np.ndarray, missing_rate: float) -> np.ndarray:
    """Shares of all records: the value bins' shares of present values scaled to the present
    share, then the missing share as one more bin."""
    present = np.asarray(value_fractions, dtype=float) * (1.0 - missing_rate)
    return np.append(present, missing_rate)


def fractions(counts: np.ndarray) -> np.ndarray:
    """Counts as fractions of their total (all zeros when there is nothing)."""
    counts = np.asarray(counts, dtype=float)
    total = counts.sum()
    return counts / total if total else counts


def total_variation(reference_counts: np.ndarray, current_counts: np.ndarray) -> float:
    """Half the L1 distance between the two samples' category shares."""
    return 0.5 * float(np.abs(fractions(reference_counts) - fractions(current_counts)).sum())


def ks_statistic(
    reference_at_or_below: np.ndarray,
    reference_below: np.ndarray,
    reference_size: int,
    current_at_or_below: np.ndarray,
    current_below: np.ndarray,
    current_size: int,
) -> float:
    """The two-sided KS statistic from counts at each distinct reference value ``u_j``.

    ``*_at_or_below[j]`` counts values <= u_j, ``*_below[j]`` values < u_j. Between two reference
    values the reference ECDF is flat while the current one rises: the reference is furthest
    ahead at a reference value, the current one furthest ahead at a reference value or just
    below one (where the current ECDF is ``current_below / m``).
    """
    at_values = reference_at_or_below / reference_size - current_at_or_below / current_size
    below_values = reference_below / reference_size - current_below / current_size
    reference_ahead = float(at_values.max(initial=0.0))
    current_ahead = -min(float(at_values.min(initial=0.0)), float(below_values.min(initial=0.0)))
    return min(max(reference_ahead, current_ahead), 1.0)


def ks_p_value(statistic: float, reference_size: int, current_size: int) -> TestResult:
    """The two-sided p-value as ``ks_2samp(method="auto")`` computes it for these sizes."""
    if max(reference_size, current_size) <= KS_EXACT_MAX_N:
        exact = _exact_ks_p_value(statistic, reference_size, current_size)
        if exact is not None:
            return exact
    from scipy import stats

    larger, smaller = sorted((float(reference_size), float(current_size)), reverse=True)
    effective_size = larger * smaller / (larger + smaller)
    p_value = float(np.clip(stats.kstwo.sf(statistic, np.round(effective_size)), 0.0, 1.0))
    return TestResult(statistic, p_value, "KS asymptotic")


def _exact_ks_p_value(
    statistic: float, reference_size: int, current_size: int
) -> TestResult | None:
    # scipy keeps the exact two-sample distribution private; it is the very code ks_2samp runs,
    # so using it is what makes the p-value equal. tests/unit/drift checks it against ks_2samp.
    from scipy.stats._stats_py import _attempt_exact_2kssamp

    gcd = math.gcd(reference_size, current_size)
    with np.errstate(all="ignore"):
        success, rounded, p_value = _attempt_exact_2kssamp(
            reference_size, current_size, gcd, statistic, "two-sided"
        )
    if not success:
        return None
    return TestResult(float(rounded), float(np.clip(p_value, 0.0, 1.0)), "KS exact")


def chi_square_two_samples(reference_counts: np.ndarray, current_counts: np.ndarray) -> TestResult:
    """``scipy.stats.chi2_contingency`` on the 2 x k table of both samples' counts."""
    table = np.vstack([reference_counts, current_counts]).astype(float)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return TestResult(0.0, 1.0, "chi-square")
    from scipy import stats

    result = stats.chi2_contingency(table)
    return TestResult(float(result.statistic), float(result.pvalue), "chi-square")


def bin_counts(sorted_values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts per bin ``(-inf, e0], (e0, e1], ..., (e_last, inf)`` of already sorted values."""
    at_or_below_edges = np.searchsorted(sorted_values, edges, side="right")
    return np.diff(at_or_below_edges, prepend=0, append=len(sorted_values))


def quantile_sample_error(sample_size: int, population_size: int) -> float:
    """The largest difference between the ECDF of a quantile sample and its population's.

    The baseline thins ``population_size`` sorted values to the ones at ranks
    ``floor((i + 0.5) * n / m)``; below any threshold the sample then holds
    ``ceil(k m / n - 1/2)`` of them where the population holds ``k``, so the two ECDFs differ
    by at most ``1 / (2 m)`` everywhere, and a KS statistic against the sample by at most as
    much from the one against all training values. Zero when nothing was thinned.
    """
    return 0.0 if sample_size >= population_size else 0.5 / sample_size


def smallest_judged_window(distance: float, significance: float) -> int:
    """The fewest requests at which a drift of ``distance`` can be told from noise.

    Below ``n`` requests, the KS statistic of a window drawn from the baseline's own
    distribution exceeds ``distance`` with probability up to ``2 exp(-2 n distance^2)``
    (Dvoretzky-Kiefer-Wolfowitz, the bound behind the KS test's tail); this is the smallest
    ``n`` at which that is at most ``significance``. Smaller windows could neither confirm a
    drift of the threshold's size nor rule it out.
    """
    return math.ceil(math.log(2.0 / significance) / (2.0 * distance * distance))
