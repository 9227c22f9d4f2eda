"""``python -m sagestack_pipelines.drift``: build a baseline, or compare captured requests with one.

Defaults follow SageMaker processing conventions, so the drift-monitor pipeline's step needs
only the endpoint name::

    python -m sagestack_pipelines.drift baseline --data train.csv --output baseline.json
    python -m sagestack_pipelines.drift compare --endpoint-name churn --publish-metrics
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
    baseline.add_argument("--sample-cap", type=int, default=100_000)
    baseline.set_defaults(run=_baseline)

    compare = commands.add_parser("compare", help="compare requests with the baseline")
    compare.add_argument("--endpoint-name", required=True)
    compare.add_argument("--baseline", type=Path, default=PROCESSING / "baseline" / "baseline.json")
    compare.add_argument("--input", type=Path, default=PROCESSING / "input" / "capture")
    compare.add_argument("--output", type=Path, default=PROCESSING / "output")
    compare.add_argument("--psi-threshold", type=float, default=0.1)
    compare.add_argument("--p-value-threshold", type=float, default=0.01)
    compare.add_argument("--missing-rate-threshold", type=float, default=0.05)
    compare.add_argument("--new-category-threshold", type=float, default=0.01)
    compare.add_argument(
        "--bad-record-threshold",
        type=float,
        default=0.01,
        help="fail when more than this share of the capture records is malformed",
    )
    compare.add_argument(
        "--publish-metrics", action="store_true", help="put the metrics to CloudWatch"
    )
    compare.set_defaults(run=_compare)
    return parser


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _baseline(args) -> int:
    import pandas as pd

    from sagestack_pipelines.drift.baseline import build_baseline, save

    if args.data.suffix == ".parquet":
        frame = pd.read_parquet(args.data)
    elif args.data.suffix == ".csv":
        frame = pd.read_csv(args.data)
    else:
        raise ValueError(
            f"--data {args.data} has suffix '{args.data.suffix}': expected .csv or .parquet"
        )
    baseline = build_baseline(
        frame,
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


def _compare(args) -> int:
    from sagestack_pipelines.drift.baseline import load
    from sagestack_pipelines.drift.comparison import EmptyWindowError, Thresholds
    from sagestack_pipelines.drift.monitor import input_files, measure, read_inputs, write_outputs
    from sagestack_pipelines.drift.records import RecordTally

    thresholds = Thresholds(
        psi=args.psi_threshold,
        p_value=args.p_value_threshold,
        missing_rate_change=args.missing_rate_threshold,
        new_category_share=args.new_category_threshold,
        bad_record_share=args.bad_record_threshold,
    )
    baseline = load(args.baseline)
    tally = RecordTally()
    try:
        tables = read_inputs(input_files(args.input), baseline, tally)
        report = measure(baseline, tables, thresholds, tally)
    except EmptyWindowError:
        print(f"drift: no requests under {args.input}; nothing to compare", file=sys.stderr)
        return 0
    for path in write_outputs(report, thresholds, args.endpoint_name, args.output):
        print(path)
    if args.publish_metrics:
        import boto3

        from sagestack_pipelines.drift.cloudwatch import publish

        publish(boto3.client("cloudwatch"), report, args.endpoint_name, datetime.now(UTC))
    if tally.skipped:
        print(
            f"drift: skipped {tally.skipped:,} malformed capture records of {tally.records:,} "
            f"({tally.describe_reasons()}); the first: {tally.first_bad}",
            file=sys.stderr,
        )
    print(
        f"max PSI {report.max_psi:.4f}; violating: {', '.join(report.violating) or 'none'}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
