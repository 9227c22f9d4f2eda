"""The HTML drift report, read in ten seconds: what was compared with what, the verdict, and per
feature how much it changed, violating features first and larger, the others collapsed.

One self-contained file: inline style and SVG plots, no script, and a content security policy
that forbids loading anything, so it opens the same from S3, a laptop or an attachment, and
prints or screenshots with every number on the page (none only on hover).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from sagestack_pipelines.drift import report_format as fmt
from sagestack_pipelines.drift.comparison import DriftReport, FeatureDrift, Thresholds
from sagestack_pipelines.drift.report_plots import plot
from sagestack_pipelines.drift.report_style import BAR_COLOURS, BASELINE_COLOUR, STYLE

FILE_NAME = "drift_report.html"
DRIFTED_SCALE = 1.35  # a violating feature's plot, text included, against a healthy one's
# nothing may be fetched: styles are inline, plots are inline SVG, there is no script
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
VERDICTS = {
    "missing_column_check": "absent",
    "data_type_check": "wrong type",
    "completeness_check": "missing values",
    "baseline_drift_check": "drift",
    "categorical_values_check": "new categories",
}


@dataclass(frozen=True)
class Header:
    """What the window was compared with, and by which rule: the report's first lines."""

    endpoint_name: str
    thresholds: Thresholds = field(default_factory=Thresholds)
    baseline_uri: str = ""
    baseline_created_at: str = ""  # when the baseline was built from the training data
    baseline_rows: int = 0
    window_start: datetime | None = None
    window_end: datetime | None = None
    source: str = ""  # where the requests were read, named when the window's times are not


def render(report: DriftReport, header: Header) -> str:
    title = f"Drift report: {escape(header.endpoint_name)}"
    flagged = [item for item in report.features if report.judged and item.violates]
    others = [item for item in report.features if item not in flagged]
    return "\n".join(
        [
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
            "<meta name='viewport' content='width=device-width,initial-scale=1'>",
            f"<meta http-equiv='Content-Security-Policy' content=\"{CONTENT_SECURITY_POLICY}\">",
            f"<title>{title}</title><style>{STYLE}</style></head><body>",
            f"<h1>{title}</h1>",
            _banner(report, header.thresholds),
            _facts(report, header),
            _skipped(report),
            _table(report, header.thresholds),
            _legend_of_columns(),
            *(_section(item, header.thresholds) for item in flagged),
            _collapsed(others, report.judged, header.thresholds),
            "</body></html>",
        ]
    )


def write(report: DriftReport, header: Header, folder: str | Path) -> Path:
    path = Path(folder) / FILE_NAME
    path.write_text(render(report, header), encoding="utf-8")
    return path


def _banner(report: DriftReport, limits: Thresholds) -> str:
    if not report.judged:
        return f"<p class='banner not-judged' id='verdict'>Not judged: {report.too_small}.</p>"
    total = len(report.features)
    violating = [item for item in report.features if item.violates]
    parts = []
    if violating:
        names = ", ".join(f"{escape(item.name)} ({_checks(item)})" for item in violating)
        parts.append(f"{len(violating)} of {total} features violate: {names}")
    if report.extra_columns:
        columns = ", ".join(map(escape, report.extra_columns))
        parts.append(f"requests carry columns the baseline lacks: {columns}")
    if not parts:
        parts.append(f"No violations: all {total} features within the thresholds")
    worst = max((fmt.severity(item, limits) for item in violating), default=0)
    level = max(worst, 1 if report.extra_columns else 0)
    text = "; ".join(parts)
    return f"<p class='banner sev-{level}' id='verdict'>{text[0].upper()}{text[1:]}.</p>"


def _facts(report: DriftReport, header: Header) -> str:
    rows = [
        ("endpoint", "Endpoint", escape(header.endpoint_name)),
        ("window", "Window", escape(_window(header))),
        ("requests", "Requests", escape(_requests(report))),
        ("baseline", "Baseline", escape(_baseline(header))),
        ("thresholds", "Thresholds", escape(_thresholds(header.thresholds, report))),
    ]
    items = "".join(f"<dt>{name}</dt><dd id='{key}'>{value}</dd>" for key, name, value in rows)
    return f"<dl class='facts'>{items}</dl>"


def _window(header: Header) -> str:
    start, end = header.window_start, header.window_end
    if start is None or end is None:
        where = f"; requests from {header.source}" if header.source else ""
        return f"times not given{where}"
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    until = f"{end:%H:%M}" if start.date() == end.date() else f"{end:%Y-%m-%d %H:%M}"
    minutes = round((end - start).total_seconds() / 60)
    length = f"{minutes // 60:,} h" if minutes % 60 == 0 else f"{minutes:,} min"
    return f"{start:%Y-%m-%d %H:%M} → {until} UTC ({length})"


def _requests(report: DriftReport) -> str:
    judged = "judged" if report.judged else "too few to judge"
    text = f"{report.rows:,} ({judged}: at least {report.min_requests:,} needed)"
    if report.records.skipped:
        text += f"; {report.records.skipped:,} malformed capture records skipped"
    return text


def _baseline(header: Header) -> str:
    where = header.baseline_uri or "not given"
    if not header.baseline_created_at:
        return where
    try:
        built = datetime.fromisoformat(header.baseline_created_at).astimezone(UTC)
        when = f"{built:%Y-%m-%d %H:%M} UTC"
    except ValueError:
        when = header.baseline_created_at
    return f"{where}, built {when} from {header.baseline_rows:,} rows of training data"


def _thresholds(limits: Thresholds, report: DriftReport) -> str:
    return (
        f"drift when the distance (KS D; TV for categories) is above "
        f"{fmt.threshold(limits.distance)} or PSI above {fmt.threshold(limits.psi)}, with p below "
        f"{fmt.threshold(limits.p_value)}; missing values up by more "
        f"than {fmt.percent(limits.missing_rate_change)} of requests; new categories above "
        f"{fmt.percent(limits.new_category_share)}; values of the training type at least "
        f"{fmt.percent(limits.data_type_match)}; windows of at least {report.min_requests:,} "
        "requests"
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


# (heading, what it is); the columns after verdict and how much, one statistic each
STATISTIC_COLUMNS = (
    ("KS D", "numeric: Kolmogorov-Smirnov distance, the largest gap between the cumulative shares"),
    ("KS p", "its p-value"),
    ("TV", "categorical: total variation distance, the share of requests that changed category"),
    ("χ²", "chi-square statistic (numeric: over the PSI's bins; categorical: the categories)"),
    ("χ² p", "its p-value"),
    ("PSI", "population stability index"),
    ("missing", "share of requests without the feature, baseline → window"),
    ("values", "requests that carried the feature"),
)


def _table(report: DriftReport, limits: Thresholds) -> str:
    headings = "".join(
        f"<th class='stat' title='{escape(about)}'>{escape(name)}</th>"
        for name, about in STATISTIC_COLUMNS
    )
    header = (
        "<tr><th class='name'>feature</th><th class='verdict'>verdict</th>"
        f"<th class='how'>how much</th>{headings}</tr>"
    )
    rows = "".join(_row(item, report.judged, limits) for item in report.features)
    return f"<div class='table-wrap'><table id='features'>{header}{rows}</table></div>"


def _row(item: FeatureDrift, judged: bool, limits: Thresholds) -> str:
    level = fmt.severity(item, limits) if judged else 0
    cells = "".join(
        f"<td class='stat{' over' if over else ''}'>{escape(text)}</td>"
        for text, over in _statistics(item, judged, limits)
    )
    return (
        f"<tr class='sev-{level}'><td class='name'><a href='#{_anchor(item)}'>"
        f"{escape(item.name)}</a></td><td class='verdict'>{_verdict(item, judged, level)}</td>"
        f"<td class='how'>{escape('; '.join(fmt.how_much(item)))}</td>{cells}</tr>"
    )


def _statistics(item: FeatureDrift, judged: bool, limits: Thresholds) -> list[tuple[str, bool]]:
    """Each statistic column's text and whether it is past its threshold."""
    numeric = item.kind == "numeric"
    tested = judged and not item.absent
    blank = ("—", False)
    ks_p = item.test.p_value < limits.p_value and tested
    chi_p = item.psi_test.p_value < limits.p_value and tested
    return [
        (_distance(item), tested and item.distance > limits.distance) if numeric else blank,
        (fmt.p_value(item.test), ks_p) if numeric else blank,
        blank if numeric else (f"{item.distance:.4f}", tested and item.distance > limits.distance),
        (_chi_square(item), chi_p),
        (fmt.p_value(item.psi_test), chi_p),
        (f"{item.psi:.4f}", tested and item.psi > limits.psi),
        (_missing(item), item.missing_rate_changed),
        (f"{item.current_count:,}", False),
    ]


def _distance(item: FeatureDrift) -> str:
    """The KS distance, with the bound on its error where the baseline thinned its sample."""
    bound = f" ± {item.distance_error:.1g}" if item.distance_error else ""
    return f"{item.distance:.4f}{bound}"


def _chi_square(item: FeatureDrift) -> str:
    return "—" if fmt.p_value(item.psi_test) == "—" else fmt.statistic(item.psi_test.statistic)


def _missing(item: FeatureDrift) -> str:
    return f"{fmt.percent(item.reference_missing_rate)} → {fmt.percent(item.current_missing_rate)}"


def _checks(item: FeatureDrift) -> str:
    return ", ".join(VERDICTS[check] for check in item.checks)


def _verdict(item: FeatureDrift, judged: bool, level: int) -> str:
    if not judged:
        return "not judged"
    badge = f"<span class='badge'>{fmt.SEVERITIES[level]}</span>"
    return badge + (_checks(item) if item.violates else "")


def _legend_of_columns() -> str:
    about = "; ".join(f"{name}: {text}" for name, text in STATISTIC_COLUMNS[:-2])
    return (
        "<p class='note stat'>"
        + escape(about)
        + ". Bold: past its threshold. Severity: how many times its threshold the worst failed "
        "check is (low below 2, medium below 4, high from 4, or the feature absent or of the "
        "wrong type).</p>"
    )


def _anchor(item: FeatureDrift) -> str:
    return "feature-" + "".join(c if c.isalnum() else "-" for c in item.name)


def _section(item: FeatureDrift, limits: Thresholds) -> str:
    level = fmt.severity(item, limits)
    return (
        f"<section class='feature drifted sev-{level}' id='{_anchor(item)}'>"
        f"<h3>{escape(item.name)} {_verdict(item, True, level)}</h3>"
        f"<p class='how-much'>{escape('; '.join(fmt.how_much(item)))}</p>"
        f"{_details(item, level, True, limits)}</section>"
    )


def _collapsed(items: list[FeatureDrift], judged: bool, limits: Thresholds) -> str:
    if not items:
        return ""
    what = "without violations" if judged else "(not judged)"
    inner = "".join(
        f"<details class='feature sev-0' id='{_anchor(item)}'><summary><b>{escape(item.name)}"
        f"</b>: {escape('; '.join(fmt.how_much(item)))}</summary>"
        f"{_details(item, 0, judged, limits)}</details>"
        for item in items
    )
    return (
        f"<h2>{len(items)} features {what}</h2>"
        f"<details class='healthy'><summary>Show them</summary>{inner}</details>"
    )


def _details(item: FeatureDrift, level: int, judged: bool, limits: Thresholds) -> str:
    statistics = _statistics(item, judged, limits)
    named = [
        f"<span>{escape(name)} {escape(text)}</span> "
        for (name, _), (text, _) in zip(STATISTIC_COLUMNS, statistics, strict=True)
        if text != "—"
    ]
    legend = (
        f"<p class='legend'><span><i style='background:{BASELINE_COLOUR}'></i>baseline "
        f"(training data)</span><span><i style='background:{BAR_COLOURS[level]}'></i>this "
        "window</span></p>"
    )
    scale = DRIFTED_SCALE if judged and item.violates else 1.0
    return (
        f"<p class='stats'>{''.join(named)}</p>{_summary(item)}{_new_categories(item)}{legend}"
        f"<div class='plot'>{plot(item, BAR_COLOURS[level], scale)}</div>"
    )


def _summary(item: FeatureDrift) -> str:
    before, after = item.reference_summary, item.current_summary
    if not before or not after:
        return ""
    pairs = " · ".join(
        f"{key} {fmt.number(before[key])} → {fmt.number(after[key])}"
        for key in ("mean", "std", "min", "max")
    )
    return f"<p class='summary muted'>Baseline → window: {escape(pairs)}</p>"


def _new_categories(item: FeatureDrift) -> str:
    if not item.new_categories:
        return ""
    return f"<p class='summary'>New categories: {escape(item.listed_new_categories())}</p>"
