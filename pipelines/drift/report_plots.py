"""The drift report's plots. A numeric feature is a histogram over the baseline's quantile bins:
inline SVG, value on the x axis labelled at the bin edges, the share of requests on the y axis in
percent, the missing share beside it, and this window's share written on each bar. On a phone the
same numbers show as share rows (:mod:`.report_rows`), whose text keeps the page's size; a
categorical feature is always share rows.

Text widths are estimated (a plain HTML file has no font metrics): ``CHAR`` is a generous average
width of a sans-serif digit, so a label that fits by the estimate fits on the page.
"""

from __future__ import annotations

import math
from html import escape

from sagestack_pipelines.drift.comparison import FeatureDrift
from sagestack_pipelines.drift.report_format import bin_range, number, percent
from sagestack_pipelines.drift.report_rows import (
    MISSING_LABEL,
    axis,
    category_rows,
    numeric_rows,
    share_rows,
    tick_label,
)
from sagestack_pipelines.drift.report_style import BASELINE_COLOUR, GRID_COLOUR

FONT, SMALL = 11, 10  # axis labels, value labels (SVG user units: pixels at natural size)
CHAR = 0.62  # estimated width of a character, in font sizes
PLOT_HEIGHT = 140
TOP, LEFT, RIGHT = 20, 44, 10
MIN_SLOT = 36  # a bin's width: room for "12.5 %" above its bar
MIN_BARS_WIDTH = 380  # however few the bins, a histogram is this wide
MOST_TICKS = 5


def plot(item: FeatureDrift, colour: str, scale: float = 1.0) -> str:
    """The feature's plot, or a line saying there is nothing to draw. A histogram is drawn
    ``scale`` times its natural size (text included), never wider than the page."""
    if item.absent:
        return "<p class='caption'>No request carried this feature.</p>"
    if item.kind == "numeric":
        return histogram(item, colour, scale) + share_rows(numeric_rows(item), colour, css="narrow")
    rows, caption = category_rows(item)
    return share_rows(rows, colour, caption)


def histogram(item: FeatureDrift, colour: str, scale: float = 1.0) -> str:
    bins = len(item.bin_labels) - 1  # the last one is the missing share
    slot = max(MIN_SLOT, MIN_BARS_WIDTH / (bins + 1.5))
    width = LEFT + RIGHT + slot * (bins + 1.5)  # half a slot apart: the missing bar
    top, step = axis(max(*item.reference_fractions, *item.current_fractions), MOST_TICKS)
    shapes = [_y_axis(top, step, width)]
    for index in range(bins + 1):
        left = LEFT + slot * (index + (0.5 if index == bins else 0))
        shapes.append(_bin_bars(item, index, left, slot, top, colour))
    shapes += _edge_labels(item.bin_edges, slot)
    shapes.append(_text(LEFT + slot * (bins + 1), TOP + PLOT_HEIGHT + 15, MISSING_LABEL))
    height = TOP + PLOT_HEIGHT + 2 * FONT + 14
    return _svg(item, width, height, shapes, scale)


def _bin_bars(item: FeatureDrift, index: int, left: float, slot: float, top: float, colour):
    missing = index == len(item.bin_labels) - 1
    label = MISSING_LABEL if missing else f"values {bin_range(item.bin_edges, index)}"
    before, after = item.reference_fractions[index], item.current_fractions[index]
    base = TOP + PLOT_HEIGHT
    grey_height, height = before / top * PLOT_HEIGHT, after / top * PLOT_HEIGHT
    hint = f"{label}: baseline {percent(before)}, this window {percent(after)}"
    return (
        f"<g><title>{escape(hint)}</title>"
        f"{_rect(left + 0.1 * slot, base - grey_height, 0.8 * slot, grey_height, BASELINE_COLOUR)}"
        f"{_rect(left + 0.28 * slot, base - height, 0.44 * slot, height, colour)}"
        f"{_text(left + slot / 2, base - height - 4, percent(after), SMALL, 'value')}</g>"
    )


def _edge_labels(edges: tuple[float, ...], slot: float) -> list[str]:
    """Each interior edge under the boundary it is; labels too wide for one slot alternate
    between two rows, and past two slots only every n-th edge is labelled."""
    texts = [number(edge) for edge in edges]
    widest = max((_width(text) for text in texts), default=0.0)
    rows = 1 if widest <= 0.95 * slot else 2
    every = max(1, math.ceil(widest / (0.95 * slot * rows)))
    labels = []
    for index, text in enumerate(texts):
        if index % every:
            continue
        row = (index // every) % rows
        x = LEFT + slot * (index + 1)
        y = TOP + PLOT_HEIGHT + 15 + row * (FONT + 3)
        labels.append(f"<line x1='{x}' y1='{TOP + PLOT_HEIGHT}' x2='{x}' y2='{y - FONT + 1}' />")
        labels.append(_text(x, y, text))
    return labels


def _y_axis(top: float, step: float, width: float) -> str:
    lines, labels = [], []
    for tick in (step * i for i in range(round(top / step) + 1)):
        y = TOP + PLOT_HEIGHT * (1 - tick / top)
        lines.append(f"<line x1='{LEFT}' y1='{y:.1f}' x2='{width - RIGHT}' y2='{y:.1f}' />")
        labels.append(_text(LEFT - 5, y + 4, tick_label(tick), FONT, "tick", anchor="end"))
    return f"<g stroke='{GRID_COLOUR}'>{''.join(lines)}</g>{''.join(labels)}"


def _rect(x: float, y: float, width: float, height: float, fill: str) -> str:
    return (
        f"<rect x='{x:.1f}' y='{y:.1f}' width='{max(width, 0.0):.1f}' "
        f"height='{max(height, 0.0):.1f}' fill='{fill}' />"
    )


def _text(x, y, text: str, size: int = FONT, kind: str = "", anchor: str = "middle") -> str:
    css = f" class='{kind}'" if kind else ""
    return (
        f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' text-anchor='{anchor}'{css}>"
        f"{escape(text)}</text>"
    )


def _width(text: str, size: int = FONT) -> float:
    return len(text) * CHAR * size


def _svg(item: FeatureDrift, width: float, height: float, shapes: list[str], scale: float) -> str:
    return (
        f"<svg class='wide' viewBox='0 0 {width:.0f} {height:.0f}' "
        f"width='{width * scale:.0f}' height='{height * scale:.0f}' role='img' "
        f"aria-label='{escape(item.name)}: baseline against this window'>"
        f"{''.join(shapes)}</svg>"
    )
