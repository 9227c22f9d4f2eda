"""The HTML drift report: a statistics table and, per feature, baseline against current.

Features come most drifted first. Plots are inline SVG drawn here, so the report is one
self-contained file with no plotting dependency.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from sagestack_pipelines.drift.comparison import DriftReport, FeatureDrift

FILE_NAME = "drift_report.html"
MAX_BARS = 30  # categories beyond this many (the smallest) are left out of a plot
PLOT_WIDTH, PLOT_HEIGHT, AXIS = 560, 180, 20

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin-bottom:2rem}
td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}
td:first-child,th:first-child{text-align:left}
tr.violates{background:#fde2e1}
section{margin-bottom:2rem}
.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem}
"""
REFERENCE_COLOUR, CURRENT_COLOUR = "#9aa5b1", "#d9480f"


def render(report: DriftReport, endpoint_name: str, window: str = "") -> str:
    title = f"Drift report: {escape(endpoint_name)}"
    flagged = ", ".join(escape(name) for name in report.violating) or "none"
    return "\n".join(
        [
            "<!doctype html><html><head><meta charset='utf-8'>",
            f"<title>{title}</title><style>{STYLE}</style></head><body>",
            f"<h1>{title}</h1>",
            _verdict_line(report, window, flagged),
            _skipped(report),
            _table(report),
            *(_section(item) for item in report.features),
            "</body></html>",
        ]
    )


def _verdict_line(report: DriftReport, window: str, flagged: str) -> str:
    where = f" in {escape(window)}" if window else ""
    if not report.judged:
        return f"<p class='too-small'>{report.rows:,} requests{where}: {report.too_small}.</p>"
    extra = ", ".join(escape(name) for name in report.extra_columns)
    return (
        f"<p>{report.rows:,} requests{where}; max PSI {report.max_psi:.4f}; "
        f"features violating: {flagged}{'; extra columns: ' + extra if extra else ''}.</p>"
    )


def _skipped(report: DriftReport) -> str:
    records = report.records
    if not records.skipped:
        return ""
    return (
        f"<p class='skipped'>Skipped {records.skipped:,} malformed capture records of "
        f"{records.records:,} ({escape(records.describe_reasons())}); the first: "
        f"{escape(records.first_bad)}</p>"
    )


def _table(report: DriftReport) -> str:
    header = (
        "<tr><th>feature</th><th>kind</th><th>distance</th><th>PSI</th><th>test</th>"
        "<th>statistic</th><th>p-value</th><th>missing (baseline → now)</th><th>values</th>"
        "<th>verdict</th></tr>"
    )
    rows = [
        f"<tr class='{'violates' if item.violates else ''}'>"
        f"<td><a href='#{_anchor(item)}'>{escape(item.name)}</a></td><td>{item.kind}</td>"
        f"<td>{_distance(item)}</td><td>{item.psi:.4f}</td><td>{escape(item.test.method)}</td>"
        f"<td>{item.test.statistic:.4g}</td><td>{item.test.p_value:.3g}</td>"
        f"<td>{item.reference_missing_rate:.2%} → {item.current_missing_rate:.2%}</td>"
        f"<td>{item.current_count:,}</td><td>{_verdict(item, report.judged)}</td></tr>"
        for item in report.features
    ]
    return f"<table>{header}{''.join(rows)}</table>"


def _distance(item: FeatureDrift) -> str:
    """The distance, with the bound on its error where the baseline thinned its sample."""
    bound = f" ± {item.distance_error:.1g}" if item.distance_error else ""
    return f"{item.distance:.4f}{bound}"


VERDICTS = {
    "missing_column_check": "absent",
    "data_type_check": "wrong type",
    "completeness_check": "missing values",
    "baseline_drift_check": "drift",
    "categorical_values_check": "new categories",
}


def _verdict(item: FeatureDrift, judged: bool) -> str:
    if not judged:
        return "not judged"
    return ", ".join(VERDICTS[check] for check in item.checks) or "ok"


def _anchor(item: FeatureDrift) -> str:
    return "feature-" + "".join(c if c.isalnum() else "-" for c in item.name)


def _section(item: FeatureDrift) -> str:
    summary = ""
    if item.reference_summary and item.current_summary:
        summary = (
            "<p>"
            + "; ".join(
                f"{key}: {item.reference_summary[key]:.4g} → {item.current_summary[key]:.4g}"
                for key in ("mean", "std", "min", "max")
            )
            + "</p>"
        )
    new = ""
    if item.new_categories:
        new = f"<p>New categories: {escape(item.listed_new_categories())}</p>"
    return (
        f"<section id='{_anchor(item)}'><h2>{escape(item.name)} — PSI {item.psi:.4f}</h2>"
        f"<p class='legend'><span style='background:{REFERENCE_COLOUR}'></span>baseline"
        f"<span style='background:{CURRENT_COLOUR}'></span>current</p>"
        f"{_plot(item)}{summary}{new}</section>"
    )


def _plot(item: FeatureDrift) -> str:
    columns = (item.bin_labels, item.reference_fractions, item.current_fractions)
    bars = list(zip(*columns, strict=True))
    bars = (
        sorted(bars, key=lambda bar: -max(bar[1], bar[2]))[:MAX_BARS]
        if len(bars) > MAX_BARS
        else bars
    )
    if not bars:
        return "<p>No values.</p>"
    tallest = max(max(reference, current) for _, reference, current in bars) or 1.0
    slot = PLOT_WIDTH / len(bars)
    shapes = []
    for index, (label, reference, current) in enumerate(bars):
        left = index * slot
        for offset, fraction, colour, name in (
            (0.1, reference, REFERENCE_COLOUR, "baseline"),
            (0.5, current, CURRENT_COLOUR, "current"),
        ):
            height = fraction / tallest * PLOT_HEIGHT
            shapes.append(
                f"<rect x='{left + offset * slot:.1f}' y='{PLOT_HEIGHT - height:.1f}' "
                f"width='{0.4 * slot:.1f}' height='{height:.1f}' fill='{colour}'>"
                f"<title>{escape(str(label))} {name}: {fraction:.2%}</title></rect>"
            )
        shapes.append(
            f"<text x='{left + slot / 2:.1f}' y='{PLOT_HEIGHT + 14}' font-size='9' "
            f"text-anchor='middle'>{escape(str(label)[:14])}</text>"
        )
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{PLOT_WIDTH}' "
        f"height='{PLOT_HEIGHT + AXIS}' role='img' aria-label='{escape(item.name)} distribution'>"
        f"{''.join(shapes)}</svg>"
    )


def write(report: DriftReport, endpoint_name: str, folder: str | Path, window: str = "") -> Path:
    path = Path(folder) / FILE_NAME
    path.write_text(render(report, endpoint_name, window), encoding="utf-8")
    return path
