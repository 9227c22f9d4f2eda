"""The drift report's share rows: one row per category (or, on a phone, per numeric bin) with the
baseline's and this window's share as bars and both numbers written beside them.

Plain HTML and CSS rather than SVG, so the text keeps the page's size at any width: names wrap
whole instead of being cut, and the share axis (in percent) runs along the rows. A categorical
feature shows its largest baseline categories, every new one up to the listed ten, the rest as
one "others" row counted in the caption, and always the missing share.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from sagestack_pipelines.drift.comparison import MISSING_BIN, NEW_CATEGORIES_LISTED, FeatureDrift
from sagestack_pipelines.drift.report_format import bin_range, largest_change, percent
from sagestack_pipelines.drift.report_style import BASELINE_COLOUR

SHOWN_CATEGORIES = 10  # baseline categories drawn; the others are one "others" row
MISSING_LABEL = "missing"
NICE_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5)
MOST_TICKS = 3  # steps along a row's axis
_MIDDLE = " class='mid'"  # a tick label between the ends: hidden on a phone, where bars are short


@dataclass(frozen=True)
class Row:
    label: str
    before: float  # share of the baseline's records
    after: float  # share of this window's records
    kind: str = "known"  # known, new, others or missing


def axis(tallest: float, most_steps: int) -> tuple[float, float]:
    """A round top for a share axis, at or above ``tallest``, and its step: at most
    ``most_steps`` steps."""
    tallest = min(max(tallest, 0.01), 1.0)
    step = next((s for s in NICE_STEPS if tallest / s <= most_steps), 0.5)
    return math.ceil(tallest / step - 1e-9) * step, step


def tick_label(share: float) -> str:
    return f"{share * 100:g}\u00a0%"


def share_rows(rows: list[Row], colour: str, caption: str = "", css: str = "") -> str:
    top, step = axis(max(max(row.before, row.after) for row in rows), MOST_TICKS)
    grid = f"background-size:{step / top * 100:.4g}% 100%"
    body = "".join(_row(row, top, colour, grid) for row in rows)
    last = round(top / step)
    ticks = "".join(
        f"<span{_MIDDLE if 0 < i < last else ''} style='left:{step * i / top * 100:.4g}%'>"
        f"{tick_label(step * i)}</span>"
        for i in range(last + 1)
    )
    scale = (
        f"<div class='row axis'><span></span><span class='ticks'>{ticks}</span><span></span></div>"
    )
    note = f"<p class='caption'>{escape(caption)}</p>" if caption else ""
    classes = f"rows {css}" if css else "rows"
    return f"<div class='{classes}'>{body}{scale}</div>{note}"


def _row(row: Row, top: float, colour: str, grid: str) -> str:
    value = (
        f"new: {percent(row.after)}"
        if row.kind == "new"
        else (f"{percent(row.before)} → {percent(row.after)}")
    )
    return (
        f"<div class='row {row.kind}'><span class='label'>{escape(row.label)}</span>"
        f"<span class='bars' style='{grid}'>"
        f"<i style='width:{row.before / top * 100:.2f}%;background:{BASELINE_COLOUR}'></i>"
        f"<i style='width:{row.after / top * 100:.2f}%;background:{colour}'></i></span>"
        f"<span class='value'>{escape(value)}</span></div>"
    )


def numeric_rows(item: FeatureDrift) -> list[Row]:
    """Each value bin, then the missing share."""
    bins = len(item.bin_labels) - 1
    rows = [
        Row(bin_range(item.bin_edges, i), item.reference_fractions[i], item.current_fractions[i])
        for i in range(bins)
    ]
    return [
        *rows,
        Row(MISSING_LABEL, item.reference_fractions[-1], item.current_fractions[-1], "missing"),
    ]


@dataclass(frozen=True)
class _Shares:
    """Categories left out of the rows: how many, and their shares summed."""

    count: int = 0
    before: float = 0.0
    after: float = 0.0


def category_rows(item: FeatureDrift) -> tuple[list[Row], str]:
    """The rows of a categorical feature, and the caption saying what was left out."""
    shares = {
        label: (item.reference_fractions[i], item.current_fractions[i])
        for i, label in enumerate(item.bin_labels)
    }
    known = [label for label in item.bin_labels[:-1] if label not in item.new_categories]
    known.sort(key=lambda label: -max(shares[label]))
    kept = known[:SHOWN_CATEGORIES]
    moved = item.bin_labels[largest_change(item)]
    if moved in known and moved not in kept:  # the category the summary names is always drawn
        kept[-1] = moved
    new = list(item.new_categories)[:NEW_CATEGORIES_LISTED]
    rows = [Row(label, *shares[label]) for label in sorted(kept, key=lambda c: -shares[c][0])]
    rows += [Row(label, *shares[label], "new") for label in new]
    left_known = _sum(shares, [label for label in known if label not in kept])
    left_new = _sum(shares, list(item.new_categories)[len(new) :])
    left = left_known.count + left_new.count
    if left:
        before, after = left_known.before + left_new.before, left_known.after + left_new.after
        rows.append(Row(f"{left:,} others", before, after, "others"))
    rows.append(Row(MISSING_LABEL, *shares[MISSING_BIN], "missing"))
    return rows, _left_out(len(known), left_known, left_new)


def _sum(shares: dict[str, tuple[float, float]], labels: list[str]) -> _Shares:
    return _Shares(
        len(labels), sum(shares[c][0] for c in labels), sum(shares[c][1] for c in labels)
    )


def _left_out(known: int, left_known: _Shares, left_new: _Shares) -> str:
    parts = []
    if left_known.count:
        parts.append(
            f"{left_known.count:,} of {known:,} baseline categories left out (together "
            f"{percent(left_known.before)} of the baseline, {percent(left_known.after)} of "
            "this window)"
        )
    if left_new.count:
        parts.append(
            f"{left_new.count:,} more new categories left out (together "
            f"{percent(left_new.after)} of this window)"
        )
    return "; ".join(parts) + ("." if parts else "")
