"""The HTML drift report read as a person would: its header, how much each feature changed, one
column per statistic, plots with percent axes and whole labels, drifted features first."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from html import unescape

import numpy as np
import pandas as pd
import pytest
from drift_frames import drifted_report, report_of, requests

from sagestack_pipelines.drift import report_format as fmt
from sagestack_pipelines.drift import report_plots
from sagestack_pipelines.drift.baseline import build_baseline
from sagestack_pipelines.drift.comparison import Thresholds
from sagestack_pipelines.drift.monitor import measure
from sagestack_pipelines.drift.report import Header, render
from sagestack_pipelines.drift.statistics import NO_TEST
from sagestack_pipelines.drift.statistics import TestResult as Outcome
from sagestack_pipelines.drift.tables import from_frame

LIMITS = Thresholds(psi=0.3)
HEADER = Header(
    "churn<prod>",
    thresholds=LIMITS,
    baseline_uri="s3://platform/projects/churn/drift/baseline.json",
    baseline_created_at="2026-11-20T09:14:00+00:00",
    baseline_rows=20_000,
    window_start=datetime(2026, 11, 26, 21, tzinfo=UTC),
    window_end=datetime(2026, 11, 26, 22, tzinfo=UTC),
)
COLUMNS = ["feature", "verdict", "how much", "KS D", "KS p", "TV", "χ²", "χ² p", "PSI", "missing"]


@pytest.fixture
def drifted(rng):
    """age moved (+15 %), colour's shares moved and a new category came; income, visits not."""
    return drifted_report(rng, colour_weights=(0.12, 0.3, 0.25, 0.23, 0.1), psi=LIMITS.psi)


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html)).replace("\u00a0", " ")


def _table(page: str) -> dict[str, dict[str, str]]:
    """The features table as {feature: {column: text}}."""
    table = page[page.index("<table id='features'>") : page.index("</table>")]
    heads = [_text(th) for th in re.findall(r"<th[^>]*>(.*?)</th>", table)]
    rows = {}
    for row in re.findall(r"<tr class='sev-\d'>(.*?)</tr>", table):
        cells = [_text(td) for td in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        rows[cells[0]] = dict(zip(heads, cells, strict=True))
    return rows


def test_the_header_names_the_endpoint_window_baseline_thresholds_and_size(drifted):
    page = render(drifted, HEADER)
    facts = dict(re.findall(r"<dd id='(\w+)'>(.*?)</dd>", page))
    assert facts["endpoint"] == "churn&lt;prod&gt;" and "churn<prod>" not in page
    assert _text(facts["window"]) == "2026-11-26 21:00 → 22:00 UTC (1 h)"
    assert _text(facts["baseline"]) == (
        "s3://platform/projects/churn/drift/baseline.json, built 2026-11-20 09:14 UTC from "
        "20,000 rows of training data"
    )
    assert _text(facts["requests"]) == "4,000 (judged: at least 2,902 needed)"
    thresholds = _text(facts["thresholds"])
    assert "above 0.05 or PSI above 0.3, with p below 1e-6" in thresholds
    assert "new categories above 0.5 %" in thresholds


def test_a_window_without_times_names_where_its_requests_came_from(drifted):
    page = render(drifted, Header("churn", source="requests.csv"))
    assert "<dd id='window'>times not given; requests from requests.csv</dd>" in page


def test_a_window_across_midnight_shows_both_dates(drifted):
    header = dataclasses.replace(
        HEADER,
        window_start=datetime(2026, 11, 26, 23, 30, tzinfo=UTC),
        window_end=datetime(2026, 11, 27, 0, 15, tzinfo=UTC),
    )
    assert "2026-11-26 23:30 → 2026-11-27 00:15 UTC (45 min)" in _text(render(drifted, header))


def test_how_much_reads_as_a_person_says_it(drifted):
    rows = _table(render(drifted, HEADER))
    mean = re.match(r"mean \+(\d+) % \(", rows["age"]["how much"])
    assert mean and 14 <= int(mean[1]) <= 16, rows["age"]["how much"]
    share = re.match(r"share of 'red' (\d+) % → (\d+) %", rows["colour"]["how much"])
    assert share and abs(int(share[1]) - 40) <= 1 and abs(int(share[2]) - 12) <= 1, share
    assert "1 new category: 10 % of values" in rows["colour"]["how much"]


def test_each_statistic_has_its_own_column(drifted):
    rows = _table(render(drifted, HEADER))
    assert list(rows["age"])[: len(COLUMNS)] == COLUMNS
    age, colour = rows["age"], rows["colour"]
    assert age["TV"] == "—" and colour["KS D"] == colour["KS p"] == "—"
    assert float(age["KS D"]) > 0.05 and float(colour["TV"]) > 0.05
    assert float(colour["χ²"].replace(",", "")) > 100


def test_p_values_too_small_for_a_float_read_below_1e_300_never_0(rng):
    far = report_of(requests(rng, 20_000), requests(rng, 4_000, age_shift=60.0))
    [age] = [item for item in far.features if item.name == "age"]
    assert age.test.p_value == 0.0  # scipy's answer underflows
    assert _table(render(far, Header("churn")))["age"]["KS p"] == "< 1e-300"
    assert fmt.p_value(Outcome(0.3, 2e-301, "ks")) == "<\u00a01e-300"
    assert fmt.p_value(Outcome(0.3, 4.1e-56, "ks")) == "4.1e-56"
    assert fmt.p_value(Outcome(0.3, 0.034, "ks")) == "0.034"
    assert fmt.p_value(NO_TEST) == "—"


def test_drifted_features_come_first_and_larger_the_others_collapsed(drifted):
    page = render(drifted, HEADER)
    violating = [item for item in drifted.features if item.violates]
    assert {item.name for item in violating} == {"age", "colour"}
    healthy = page.index("<details class='healthy'>")
    for item in violating:
        section = page.index(f"id='feature-{item.name}'")
        assert page.rfind("<section class='feature drifted sev-", 0, section) >= 0
        assert section < healthy
    for item in drifted.features:
        if not item.violates:
            assert page.index(f"<details class='feature sev-0' id='feature-{item.name}'>") > healthy
    plots = re.findall(
        r"<svg class='wide' viewBox='0 0 (\d+) \d+' width='(\d+)' [^>]*aria-label='(\w+):", page
    )
    scale = {name: int(width) / int(natural) for natural, width, name in plots}
    assert scale["age"] == pytest.approx(1.35, abs=0.01)
    assert scale["income"] == scale["visits"] == 1.0


@pytest.mark.parametrize(
    ("distance", "missing", "absent", "expected"),
    [
        (0.0, 0.0, False, 0),
        (0.06, 0.0, False, 1),
        (0.15, 0.0, False, 2),
        (0.3, 0.0, False, 3),
        (0.0, 0.12, False, 2),
        (0.0, 0.0, True, 3),
    ],
)
def test_severity_steps_with_how_far_past_its_threshold_a_check_is(
    drifted, distance, missing, absent, expected
):
    healthy = next(item for item in drifted.features if item.name == "income")
    item = dataclasses.replace(
        healthy,
        distance=distance,
        psi=0.0,
        drifted=distance > 0,
        current_missing_rate=missing,
        missing_rate_changed=missing > 0,
        absent=absent,
    )
    assert fmt.severity(item, Thresholds()) == expected


def test_a_categorical_plot_says_what_it_left_out_and_shows_new_ones_and_missing(rng):
    names = [f"store-{i:02d}" for i in range(30)]
    training = requests(rng, 20_000, colours=names, colour_weights=np.full(30, 1 / 30))
    window = requests(
        rng, 4_000, colours=[*names, "pop-up"], colour_weights=[*np.full(30, 0.95 / 30), 0.05]
    )
    window.loc[window.index[:400], "colour"] = None
    report = report_of(training, window)
    page = render(report, Header("churn"))
    [plot] = re.findall(r"<div class='rows'>.*?</div><p class='caption'>(.*?)</p>", page)
    assert plot.startswith("20 of 30 baseline categories left out (together ")
    section = page[page.index("id='feature-colour'") :]
    assert "<div class='row new'><span class='label'>pop-up</span>" in section
    assert re.search(r"<div class='row others'><span class='label'>20 others</span>", section)
    missing = re.search(r"<div class='row missing'>.*?<span class='value'>(.*?)</span>", section)
    assert missing and _text(missing[1]) == "0 % → 10 %"


def test_category_names_stay_whole_and_escaped(rng):
    training = requests(rng, 2_000)
    training["colour"] = "a&b<c>" * 3
    page = render(report_of(training, training), Header("churn"))
    assert "<span class='label'>a&amp;b&lt;c&gt;a&amp;b&lt;c&gt;a&amp;b&lt;c&gt;</span>" in page


def _number(text: str) -> float:
    """A plot's number back as a float: 12.3k, −0.25, 2e-5."""
    scale = {"k": 1e3, "M": 1e6}.get(text[-1], 1.0)
    return float(text.rstrip("kM").replace("−", "-")) * scale


def _histogram_labels(svg: str) -> list[tuple[float, float, str]]:
    return [
        (float(x), float(y), unescape(text))
        for x, y, text in re.findall(
            r"<text x='([\d.]+)' y='([\d.]+)' font-size='11' text-anchor='middle'>(.*?)</text>", svg
        )
    ]


@pytest.mark.parametrize(
    ("spread", "bins"),
    [
        ("lognormal", 24),  # edges from hundreds to hundred thousands: 12.3k
        ("fraction", 10),  # edges of four digits: 0.3317, wider than a bin
    ],
)
def test_histogram_labels_are_whole_numbers_that_never_overlap_and_the_axis_is_in_percent(
    rng, spread, bins
):
    if spread == "lognormal":
        values = rng.lognormal(9.5, 1.2, 20_000).round(3)
    else:
        values = rng.normal(0.5, 0.2, 20_000)
    baseline = build_baseline(pd.DataFrame({"x": values}), bins=bins)
    window = from_frame(pd.DataFrame({"x": values[:5_000] * 1.4}), baseline)
    report = measure(baseline, window, Thresholds())
    [item] = report.features
    svg = report_plots.histogram(item, "#c92a2a")
    labels = _histogram_labels(svg)
    shown = sorted((x, _number(text)) for x, _, text in labels if text != "missing")
    assert len(shown) >= len(item.bin_edges) / 2
    for _, value in shown:  # each label is an edge, to the precision it is written in
        assert min(abs(value - edge) / abs(edge) for edge in item.bin_edges) < 0.005, value
    assert [value for _, value in shown] == sorted(value for _, value in shown)
    for row in {y for _, y, _ in labels}:
        placed = sorted((x, text) for x, y, text in labels if y == row)
        for (left, a), (right, b) in zip(placed, placed[1:], strict=False):
            room = (len(a) + len(b)) / 2 * report_plots.CHAR * report_plots.FONT
            assert right - left >= room, (a, b)
    ticks = re.findall(r"text-anchor='end' class='tick'>(.*?)</text>", svg)
    assert ticks[0] == "0\u00a0%" and all(t.endswith("\u00a0%") for t in ticks) and len(ticks) >= 3
    on_bars = re.findall(r"class='value'>(.*?)</text>", svg)
    assert len(on_bars) == len(item.bin_labels) and all(v.endswith("\u00a0%") for v in on_bars)


def test_the_page_loads_nothing_from_anywhere(drifted):
    page = render(drifted, HEADER)
    policy = "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src"
    assert policy in page
    for external in ("http:", "https:", "//", "<script", "<link", "src=", "url(", "@import"):
        assert external not in page.replace("s3://", ""), external


def test_the_verdict_line_names_extra_columns_as_violations(rng):
    report = report_of(requests(rng, 5_000), requests(rng, 4_000).assign(coupon="x"))
    page = render(report, Header("churn"))
    banner = "<p class='banner sev-1' id='verdict'>Requests carry columns the baseline lacks: "
    assert banner in page
    assert "coupon." in page and "No violations" not in page
