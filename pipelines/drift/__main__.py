"""``python -m sagestack_pipelines.drift``: build a baseline, compare captured requests with one,
or write SageMaker Model Monitor's baseline files from one.

Defaults follow SageMaker processing conventions, so the drift-monitor pipeline's step needs
only the endpoint name::

    python -m sagestack_pipelines.drift baseline --data train.parquet --output baseline.json
    python -m sagestack_pipelines.drift compare --endpoint-name churn --publish-metrics
    python -m sagestack_pipelines.drift model-monitor --baseline baseline.json --output mm/

Each command imports only what it uses (no pandas; scipy once the window is read), so it starts
reading in well under a second.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from sagestack.contract import PROCESSING_ROOT

PROCESSING = Path(PROCESSING_ROOT)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, FileNotFoundError) as error:
        print(f"drift: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sagestack_pipelines.drift", description=__doc__
    )
    commands = parser.add_subparsers(required=True)

    baseline = commands.add_parser("baseline", help="baseline JSON from training data")
    baseline.add_argument(
        "--data", type=Path, required=True, help="training data (.csv or .parquet)"
    )
    baseline.add_argument("--output", type=Path, required=True, help="where to write baseline.json")
    baseline.add_argument("--features", default="", help="comma-separated input columns, in order")
    baseline.add_argument("--categorical", default="", help="comma-separated categorical features")
    baseline.add_argument("--bins", type=int, default=10)
    baseline.add_argument("--sample-cap", type=int, default=1_000_000)
    baseline.set_defaults(run=_baseline)

    compare = commands.add_parser("compare", help="compare requests with the baseline")
    compare.add_argument("--endpoint-name", required=True)
    compare.add_argument("--baseline", type=Path, default=PROCESSING / "baseline" / "baseline.json")
    compare.add_argument("--input", type=Path, default=PROCESSING / "input" / "capture")
    compare.add_argument("--output", type=Path, default=PROCESSING / "output")
    _threshold_flags(compare)
    compare.add_argument(
        "--publish-metrics", action="store_true", help="put the metrics to CloudWatch"
    )
    _report_flags(compare)
    compare.set_defaults(run=_compare)

    model_monitor = commands.add_parser(
        "model-monitor", help="Model Monitor's statistics.json and constraints.json"
    )
    model_monitor.add_argument("--baseline", type=Path, required=True)
    model_monitor.add_argument("--output", type=Path, required=True, help="a folder")
    model_monitor.add_argument(
        "--comparison-threshold",
        type=float,
        default=0.1,
        help="Model Monitor's baseline drift distance threshold (set it to the project's "
        "drift.threshold, which its alarms compare with)",
    )
    _threshold_flags(model_monitor)
    model_monitor.set_defaults(run=_model_monitor)
    return parser


def _threshold_flags(parser: argparse.ArgumentParser) -> None:
    from_defaults = {  # the defaults are Thresholds' own (docs/drift.md explains them)
        "--psi-threshold": ("psi", float),
        "--distance-threshold": ("distance", float),
        "--p-value-threshold": ("p_value", float),
        "--missing-rate-threshold": ("missing_rate_change", float),
        "--new-category-threshold": ("new_category_share", float),
        "--data-type-threshold": ("data_type_match", float),
        "--bad-record-threshold": ("bad_record_share", float),
        "--min-requests": ("min_requests", int),
    }
    for flag, (name, kind) in from_defaults.items():
        parser.add_argument(flag, dest=name, type=kind, default=None)


def _report_flags(parser: argparse.ArgumentParser) -> None:
    """What the report's header names beyond what the files say."""
    parser.add_argument("--window-start", default="", help="ISO 8601: the window's first moment")
    parser.add_argument("--window-end", default="", help="ISO 8601: the moment after the window")
    parser.add_argument(
        "--baseline-uri", default="", help="where the baseline came from (default: --baseline)"
    )


def _moment(flag: str, text: str) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{flag} '{text}' is invalid: expected an ISO 8601 time such as 2026-11-26T21:00:00Z"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _header(args, thresholds, baseline):
    from sagestack_pipelines.drift.report import Header

    start = _moment("--window-start", args.window_start)
    end = _moment("--window-end", args.window_end)
    if start and end and start >= end:
        raise ValueError(
            f"--window-start '{args.window_start}' is invalid: expected a time before "
            f"--window-end '{args.window_end}'"
        )
    return Header(
        endpoint_name=args.endpoint_name,
        thresholds=thresholds,
        baseline_uri=args.baseline_uri or str(args.baseline),
        baseline_created_at=baseline.created_at,
        baseline_rows=baseline.row_count,
        window_start=start,
        window_end=end,
        source=str(args.input),
    )


def _thresholds(args):
    from sagestack_pipelines.drift.comparison import Thresholds

    names = (
        "psi",
        "distance",
        "p_value",
        "missing_rate_change",
        "new_category_share",
        "data_type_match",
        "bad_record_share",
        "min_requests",
    )
    given = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    return Thresholds(**given)


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _baseline(args) -> int:
    from sagestack_pipelines.drift.baseline import build_baseline, save

    baseline = build_baseline(
        _training_table(args.data),
        categorical=_names(args.categorical),
        features=_names(args.features) or None,
        bins=args.bins,
        sample_cap=args.sample_cap,
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    save(baseline, args.output)
    print(
        f"baseline of {len(baseline.features)} features written to {args.output}", file=sys.stderr
    )
    return 0


def _training_table(path: Path):
    """The training data as an Arrow table (read by Arrow: no pandas to import)."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).read()  # read_table imports pandas for the file's metadata
    if path.suffix == ".csv":
        import pyarrow.csv as pacsv

        return pacsv.read_csv(path)
    raise ValueError(f"--data {path} has suffix '{path.suffix}': expected .csv or .parquet")


def _compare(args) -> int:
    from sagestack_pipelines.drift.baseline import load
    from sagestack_pipelines.drift.comparison import EmptyWindowError
    from sagestack_pipelines.drift.monitor import input_files, measure, read_inputs, write_outputs
    from sagestack_pipelines.drift.records import RecordTally

    thresholds = _thresholds(args)
    baseline = load(args.baseline)
    header = _header(args, thresholds, baseline)
    tally = RecordTally()
    try:
        report = measure(
            baseline, read_inputs(input_files(args.input), baseline, tally), thresholds, tally
        )
    except EmptyWindowError:
        print(f"drift: no requests under {args.input}; nothing to compare", file=sys.stderr)
        return 0
    for path in write_outputs(report, header, args.output):
        print(path)
    if args.publish_metrics and report.judged:
        import boto3

        from sagestack_pipelines.drift.cloudwatch import publish

        publish(boto3.client("cloudwatch"), report, args.endpoint_name, datetime.now(UTC))
    if tally.skipped:
        print(
            f"drift: skipped {tally.skipped:,} malformed capture records of {tally.records:,} "
            f"({tally.describe_reasons()}); the first: {tally.first_bad}",
            file=sys.stderr,
        )
    if not report.judged:
        print(f"drift: {report.too_small}; no metrics published", file=sys.stderr)
        return 0
    print(
        f"max PSI {report.max_psi:.4f}; violating: {', '.join(report.violating) or 'none'}",
        file=sys.stderr,
    )
    return 0


def _model_monitor(args) -> int:
    from sagestack_pipelines.drift.baseline import load
    from sagestack_pipelines.drift.model_monitor import write

    for path in write(
        load(args.baseline), _thresholds(args), args.comparison_threshold, args.output
    ):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
