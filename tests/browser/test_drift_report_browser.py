"""The drift report in Debian's Chromium at desktop (1280 px) and phone (400 px) width: it loads
nothing but itself, and what an on-call engineer reads first is on the screen, inside its width,
with no label drawn over another."""

from __future__ import annotations

import pytest
from report_pages import DESKTOP, PHONE, browser, drifted_report, visit

pytestmark = pytest.mark.slow  # starting the browser takes seconds on a busy machine

HEADER_FIELDS = ("verdict", "endpoint", "window", "requests", "baseline", "thresholds")
VIOLATING = ["plan", "tenure_months", "discount", "support_calls"]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return drifted_report(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def chromium():
    with browser() as opened:
        yield opened


# every element a selector matches: whether it shows, and its box, in one round trip
_BOXES = """selector => [...document.querySelectorAll(selector)].map(element => {
    const box = element.getBoundingClientRect();
    return {shown: element.checkVisibility() && box.width > 0 && box.height > 0,
            x: box.x, y: box.y, width: box.width, height: box.height};
})"""


_PLOT_TEXTS = """() => [...document.querySelectorAll('section.drifted svg.wide')].map(
    svg => [...svg.querySelectorAll('text')].map(text => text.getBoundingClientRect().toJSON()))"""


_AXIS_LABELS = """() => [...document.querySelectorAll('section.drifted .rows')]
    .filter(rows => rows.checkVisibility())
    .map(rows => [...rows.querySelectorAll('.ticks span')]
        .filter(label => label.checkVisibility())
        .map(label => label.getBoundingClientRect().toJSON()))"""


def _inside(page, selector: str, width: int) -> list[dict]:
    """The boxes of every element ``selector`` matches, each checked visible and within the
    viewport's width."""
    boxes = page.evaluate(_BOXES, selector)
    assert boxes, f"nothing matches {selector}"
    for index, box in enumerate(boxes):
        assert box["shown"], f"{selector} #{index} is not visible"
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (selector, box)
    return boxes


def _overlapping(boxes: list[dict]) -> list[tuple[dict, dict]]:
    def apart(a, b):
        return (
            a["x"] + a["width"] <= b["x"]
            or b["x"] + b["width"] <= a["x"]
            or a["y"] + a["height"] <= b["y"]
            or b["y"] + b["height"] <= a["y"]
        )

    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if not apart(a, b)]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_report_reads_at_a_glance_in_a_browser(chromium, report, viewport, tmp_path):
    width = viewport["width"]
    with visit(chromium, report, viewport) as seen:
        page = seen.page
        assert seen.requests == [report.resolve().as_uri()]
        assert seen.refused == [] and seen.console_errors == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for field in HEADER_FIELDS:
            _inside(page, f"#{field}", width)
        assert page.inner_text("#window") == "2026-11-26 21:00 → 22:00 UTC (1 h)"
        assert "4 of 8 features violate" in page.inner_text("#verdict")
        verdicts = _inside(page, "#features td.verdict", width)
        assert len(verdicts) == 8
        _inside(page, "#features td.how", width)
        names = "all => all.map(s => s.querySelector('h3').firstChild.textContent.trim())"
        assert page.eval_on_selector_all("section.drifted", names) == VIOLATING
        last = _inside(page, "section.drifted", width)[-1]
        healthy = _inside(page, "details.healthy > summary", width)[0]
        assert last["y"] < healthy["y"] and not page.locator("#feature-age").is_visible()
        _inside(page, "section.drifted .how-much", width)
        _inside(page, "section.drifted .stats span", width)
        if viewport == PHONE:  # the histograms give way to rows whose text keeps its size
            assert not page.locator("svg.wide").first.is_visible()
            values = "section.drifted .rows .value"
        else:
            values = "section.drifted svg text.value"
            plots = page.evaluate(_PLOT_TEXTS)
            assert len(plots) == 3  # the drifted numeric features' histograms
            for plot, boxes in enumerate(plots):
                assert len(boxes) > 10 and _overlapping(boxes) == [], f"labels overlap in {plot}"
        _inside(page, values, width)
        for axis in page.evaluate(_AXIS_LABELS):
            assert len(axis) >= 2 and _overlapping(axis) == [], "a rows plot's axis labels overlap"
        assert all(text.endswith("\u00a0%") for text in page.locator(values).all_text_contents())
        shot = page.screenshot(full_page=True)
        assert shot[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(shot[16:20], "big") == width
