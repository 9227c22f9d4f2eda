"""The drift-monitor pipeline's processing step: fetch one window of captured requests, then run
the drift engine on it (``python -m sagestack_pipelines.drift compare``).

A ProcessingInput copies a whole S3 prefix and SageMaker Pipelines has no date arithmetic, so the
window cannot be chosen in the definition. SageMaker writes data capture to
``<CaptureS3Prefix>/<variant>/yyyy/mm/dd/hh/``; the step lists the ``--window-hours`` complete
hours before the execution started (``--window-end``, the pipeline's ``Execution.StartDateTime``)
under every variant, downloads them and hands the folder to the engine. Hourly runs thus read
each captured request exactly once.

The engine writes its outputs into a folder named for the window's end
(``contract.drift_window_folder``), which the pipeline uploads under the report prefix: reports
sort by window, newest last. A run that completes, whatever its window held, then publishes the
monitor's heartbeat (:mod:`.heartbeat`) and the capture records its endpoint failed to write
over the last day (:mod:`.capture_gap`); a run that fails publishes neither, and that pages.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

from sagestack.contract import PROCESSING_ROOT, drift_window_folder
from sagestack_pipelines.drift_monitor import capture_gap
from sagestack_pipelines.drift_monitor.heartbeat import heartbeat_datum, publish_run_metrics

PROCESSING = Path(PROCESSING_ROOT)


def window_end(started: datetime) -> datetime:
    """The end of the window a run started at ``started`` measures: the hour it started in."""
    return started.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def window_folders(end: datetime, hours: int) -> list[str]:
    """``yyyy/mm/dd/hh`` of the ``hours`` complete hours before ``end``, oldest first."""
    if hours < 1:
        raise ValueError(f"--window-hours {hours} is invalid: expected a whole number >= 1")
    current_hour = window_end(end)
    starts = [current_hour - timedelta(hours=back) for back in range(hours, 0, -1)]
    return [start.strftime(capture_gap.HOUR_FOLDER) for start in starts]


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix/`` as ``("bucket", "some/prefix")``."""
    parsed = urlparse(uri)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ValueError(f"--capture-s3-prefix '{uri}' is invalid: expected s3://bucket/prefix")
    return parsed.netloc, parsed.path.strip("/")


def download_window(s3, capture_uri: str, folders: list[str], destination: Path) -> int:
    """Copy every capture file of ``folders`` under each variant of ``capture_uri`` into
    ``destination`` (keeping the key layout); returns how many files were copied."""
    bucket, prefix = split_s3_uri(capture_uri)
    paginator = s3.get_paginator("list_objects_v2")
    copied = 0
    for variant in _variants(paginator, bucket, prefix):
        for folder in folders:
            for page in paginator.paginate(Bucket=bucket, Prefix=f"{variant}{folder}/"):
                for item in page.get("Contents", []):
                    target = destination / item["Key"][len(prefix) :].lstrip("/")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    s3.download_file(bucket, item["Key"], str(target))
                    copied += 1
    return copied


def _variants(paginator, bucket: str, prefix: str) -> list[str]:
    pages = paginator.paginate(Bucket=bucket, Prefix=f"{prefix}/", Delimiter="/")
    return [common["Prefix"] for page in pages for common in page.get("CommonPrefixes", [])]


def parse_window_end(text: str) -> datetime:
    if not text:
        return datetime.now(UTC)
    if text.isdigit():  # epoch milliseconds, as some AWS APIs render times
        return datetime.fromtimestamp(int(text) / 1000, UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise ValueError(
            f"--window-end '{text}' is invalid: expected an ISO 8601 time such as "
            "2026-11-26T22:05:00Z"
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="drift-monitor-step", description=__doc__)
    parser.add_argument("--endpoint-name", required=True)
    parser.add_argument("--capture-s3-prefix", required=True)
    parser.add_argument("--window-hours", type=int, default=1)
    parser.add_argument("--window-end", default="", help="ISO 8601; default now")
    parser.add_argument("--psi-threshold", type=float, default=0.2)
    parser.add_argument(
        "--min-requests", type=int, default=0, help="0: the engine's own minimum window"
    )
    parser.add_argument("--capture-dir", type=Path, default=PROCESSING / "input" / "capture")
    parser.add_argument("--baseline", type=Path, default=PROCESSING / "baseline" / "baseline.json")
    parser.add_argument(
        "--baseline-s3-uri", default="", help="where --baseline was copied from (for the report)"
    )
    parser.add_argument("--output", type=Path, default=PROCESSING / "output")
    parser.add_argument("--publish-metrics", action="store_true")
    return parser


def main(argv: list[str] | None = None, s3=None, cloudwatch=None, sagemaker=None) -> int:
    args = _parser().parse_args(argv)
    from sagestack_pipelines.drift.__main__ import main as engine

    try:
        started = parse_window_end(args.window_end)
        folders = window_folders(started, args.window_hours)
        capture = split_s3_uri(args.capture_s3_prefix)
        s3 = s3 or _client("s3")
        copied = download_window(s3, args.capture_s3_prefix, folders, args.capture_dir)
    except ValueError as error:
        print(f"drift-monitor: {error}", file=sys.stderr)
        return 2
    print(f"drift-monitor: {copied} capture files in {folders[0]}..{folders[-1]}", file=sys.stderr)
    args.capture_dir.mkdir(parents=True, exist_ok=True)
    end = window_end(started)
    command = [
        "compare",
        f"--endpoint-name={args.endpoint_name}",
        f"--baseline={args.baseline}",
        f"--input={args.capture_dir}",
        f"--output={args.output / drift_window_folder(end)}",
        f"--psi-threshold={args.psi_threshold}",
        f"--min-requests={args.min_requests}",
        f"--window-start={(end - timedelta(hours=args.window_hours)).isoformat()}",
        f"--window-end={end.isoformat()}",
    ]
    if args.baseline_s3_uri:
        command.append(f"--baseline-uri={args.baseline_s3_uri}")
    if not args.publish_metrics:
        return engine(command)
    status = engine([*command, "--publish-metrics"])
    if status == 0:
        clients = capture_gap.Clients(
            cloudwatch=cloudwatch or _client("cloudwatch"),
            s3=s3,
            sagemaker=sagemaker or _client("sagemaker"),
        )
        _publish_run_health(args.endpoint_name, copied, clients, capture, started)
    return status


def _publish_run_health(
    endpoint: str, copied: int, clients: capture_gap.Clients, capture: tuple, started: datetime
) -> None:
    lookback = window_folders(started, capture_gap.LOOKBACK_HOURS)
    missing = capture_gap.measure_missing_captures(
        clients=clients, endpoint=endpoint, capture=capture, hour_folders=lookback
    )
    if missing:
        print(
            f"drift-monitor: endpoint {endpoint} served requests in {lookback[0]}..{lookback[-1]} "
            f"and captured none of them: {missing:g} capture records missing",
            file=sys.stderr,
        )
    now = datetime.now(UTC)
    publish_run_metrics(
        clients.cloudwatch,
        [
            heartbeat_datum(endpoint, copied, now),
            capture_gap.missing_captures_datum(endpoint, missing, now),
        ],
    )


def _client(service: str):
    import boto3

    return boto3.client(service)


if __name__ == "__main__":
    sys.exit(main())
