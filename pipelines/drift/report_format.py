"""The drift report's numbers as a person reads them: shares in percent, p-values that never
read 0, each feature's change in a phrase ("mean +35 %", "share of 'pro' 12 % → 31 %") and how
severe its violation is.

Presentation only: every number comes from the engine's :class:`FeatureDrift`; nothing here
decides a verdict.
"""

from __future__ import annotations

import math

import numpy as np

from sagestack_pipelines.drift.baseline import INTEGRAL
from sagestack_pipelines.drift.comparison import MISSING_BIN, FeatureDrift, Thresholds
from sagestack_pipelines.drift.statistics import NO_TEST, TestResult

NBSP = "\u00a0"  # keeps a number and its unit on one line
# scipy's p-values underflow to 0 far below this; a page that says "0" claims a certainty no
# test gives, and 1e-300 is where float64 starts to lose precision anyway.
SMALLEST_P_VALUE = 1e-300
SEVERITIES = ("ok", "low", "medium", "high")
# a violation whose measure is this many times its threshold is one step more severe
SEVERITY_STEPS = (2.0, 4.0)
NOTABLE_MEAN_SHIFT = 0.1  # standard deviations of the training data
NOTABLE_SPREAD_CHANGE = 0.1  # relative change of the standard deviation


def percent(share: float) -> str:
    """A share of 0-1 in percent, as precise as its size needs: 0.5 %, 4.2 %, 31 %."""
    value = abs(share) * 100
    if value == 0:
        return f"0{NBSP}%"
    if value < 0.05:
        text = f"<{NBSP}0.1{NBSP}%"
    else:
        text = f"{value:,.{0 if round(value, 1) >= 10 else 1}f}{NBSP}%"
    return _signed(share, text, plus="")


def signed_percent(change: float) -> str:
    """A relative change with its sign: +35 %, −4.2 %."""
    return _signed(change, percent(abs(change)))


def p_value(test: TestResult) -> str:
    """``< 1e-300`` rather than ``0``; a dash where no test ran (the window was not judged)."""
    if test.method == NO_TEST.method:
        return "—"
    if test.p_value < SMALLEST_P_VALUE:
        return f"<{NBSP}1e-300"
    if test.p_value < 1e-3:
        return _exponent(test.p_value, 1)
    return f"{test.p_value:.2g}"


def statistic(value: float) -> str:
    """A test statistic: 0.123, 45.6, 12,345."""
    if abs(value) >= 1_000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def number(value: float) -> str:
    """A feature's value, short enough for a plot's axis: 0.0012, 41.2, 12.3k, 4.5M, 2e-05."""
    magnitude = abs(value)
    if magnitude >= 1e9 or 0 < magnitude < 1e-3:
        text = _exponent(magnitude, 2)
    elif magnitude >= 1e6:
        text = f"{magnitude / 1e6:.3g}M"
    elif magnitude >= 1e4:
        text = f"{magnitude / 1e3:.3g}k"
    else:
        text = f"{magnitude:.4g}"
    return _signed(value, text, plus="")


def threshold(value: float) -> str:
    """A threshold as it was set: 0.05, 0.2, 1e-6."""
    text = f"{value:g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return f"{mantissa}e{int(exponent)}"


def signed_number(value: float) -> str:
    return _signed(value, number(abs(value)))


def _exponent(value: float, digits: int) -> str:
    """1.5e-61 rather than Python's 1.5e-61 with padding (2e-05)."""
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    return f"{float(mantissa):g}e{int(exponent)}"


def _signed(value: float, text: str, plus: str = "+") -> str:
    """``text`` (a magnitude) with a typographic minus, or ``plus``, in front."""
    return f"−{text}" if value < 0 else f"{plus}{text}"


def how_much(item: FeatureDrift) -> list[str]:
    """The feature's change in a few phrases, those of its failed checks first."""
    if item.absent:
        return ["absent from every request"]
    first, then = [], []
    if item.type_match < 1.0:
        expected = "whole numbers" if item.inferred_type == INTEGRAL else "numbers"
        first.append(f"{percent(1 - item.type_match)} of values not {expected}")
    if abs(item.current_missing_rate - item.reference_missing_rate) >= 0.005:
        missing = (
            f"missing {percent(item.reference_missing_rate)} → {percent(item.current_missing_rate)}"
        )
        (first if item.missing_rate_changed else then).append(missing)
    if item.kind == "numeric":
        first += _numeric_change(item)
    else:
        first += _categorical_change(item)
    return first + then


def _numeric_change(item: FeatureDrift) -> list[str]:
    before, after = item.reference_summary, item.current_summary
    if not before or not after:
        return ["no values in the window"]
    spread = before["std"]
    shift = after["mean"] - before["mean"]
    phrases = [_mean_change(before["mean"], after["mean"], spread)]
    widened = after["std"] / spread - 1 if spread else 0.0
    if abs(widened) >= NOTABLE_SPREAD_CHANGE:
        phrases.append(
            f"spread ×{after['std'] / spread:.2g} (std {number(spread)} → {number(after['std'])})"
        )
    elif not spread or abs(shift) / spread < NOTABLE_MEAN_SHIFT:
        phrases.append(_largest_share_change(item))
    return phrases


def _mean_change(before: float, after: float, spread: float) -> str:
    """Relative where the mean is far enough from 0 for a percentage to mean something; in
    standard deviations of the training data otherwise."""
    values = f"({number(before)} → {number(after)})"
    if before and abs(before) >= NOTABLE_MEAN_SHIFT * spread:
        change = (after - before) / abs(before)
        if abs(change) < 0.001:
            return f"mean within 0.1{NBSP}% {values}"
        return f"mean {signed_percent(change)} {values}"
    if not spread:
        return f"mean {values[1:-1]}"
    return f"mean {signed_number((after - before) / spread)}{NBSP}std {values}"


def _categorical_change(item: FeatureDrift) -> list[str]:
    phrases = [_largest_share_change(item)]
    if item.new_categories:
        share = sum(item.new_categories.values())
        kinds = len(item.new_categories)
        noun = "category" if kinds == 1 else "categories"
        phrases.append(f"{kinds:,} new {noun}: {percent(share)} of values")
    return phrases


def _largest_share_change(item: FeatureDrift) -> str:
    """The value bin or baseline category whose share of the records moved most."""
    index = largest_change(item)
    if item.kind == "numeric":
        name = f"values {bin_range(item.bin_edges, index)}"
    else:
        name = f"share of '{item.bin_labels[index]}'"
    before, after = item.reference_fractions[index], item.current_fractions[index]
    return f"{name} {percent(before)} → {percent(after)}"


def bin_range(edges: tuple[float, ...], index: int) -> str:
    """Bin ``index`` of a numeric feature's right-closed bins: ≤ 10, (10, 14], > 40."""
    if not edges:
        return "(all)"
    if index == 0:
        return f"≤{NBSP}{number(edges[0])}"
    if index == len(edges):
        return f">{NBSP}{number(edges[-1])}"
    return f"({number(edges[index - 1])}, {number(edges[index])}]"


def largest_change(item: FeatureDrift) -> int:
    """Index of the value bin or baseline category (not the missing bin, not a new category)
    whose share moved most."""
    compared = [
        i
        for i, label in enumerate(item.bin_labels)
        if label != MISSING_BIN and label not in item.new_categories
    ]
    if not compared:
        return 0
    moves = np.abs(item.current_fractions - item.reference_fractions)[compared]
    return compared[int(np.argmax(moves))]


def severity(item: FeatureDrift, thresholds: Thresholds) -> int:
    """0 (no violation) to 3: how far past its threshold the worst failed check is. A feature
    absent from the requests or sent with the wrong type is 3: the model cannot read it."""
    if not item.violates:
        return 0
    if item.absent or item.wrong_type:
        return 3
    ratios = [1.0]
    if item.drifted:
        ratios += [
            _ratio(item.distance, thresholds.distance),
            _ratio(item.psi, thresholds.psi),
        ]
    if item.missing_rate_changed:
        rise = item.current_missing_rate - item.reference_missing_rate
        ratios.append(_ratio(rise, thresholds.missing_rate_change))
    if item.unknown_categories:
        ratios.append(_ratio(sum(item.new_categories.values()), thresholds.new_category_share))
    worst = max(ratios)
    return 1 + sum(worst >= step for step in SEVERITY_STEPS)


def _ratio(value: float, threshold: float) -> float:
    if threshold <= 0:
        return math.inf if value > 0 else 1.0
    return value / threshold
