"""One monitoring run: stream the inputs through a window, compare, write what people read."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sagestack_pipelines.drift.baseline import Baseline
from sagestack_pipelines.drift.capture import read_capture
from sagestack_pipelines.drift.comparison import DriftReport, Thresholds, compare
from sagestack_pipelines.drift.records import RecordTally
from sagestack_pipelines.drift.tables import read_csv, read_parquet
from sagestack_pipelines.drift.window import Window

if TYPE_CHECKING:
    from sagestack_pipelines.drift.report import Header

CAPTURE_SUFFIXES = (".jsonl", ".json")
SUMMARY_FILE = "drift_statistics.json"
_READ_AHEAD = 2  # chunks read while the previous one is counted


def input_files(location: str | Path) -> list[Path]:
    """The input files at ``location`` (a file, or a folder searched recursively), sorted. A
    named pipe counts as a file, so captures can stream in (``aws s3 cp ... - > pipe``)."""
    location = Path(location)
    if location.is_file() or location.is_fifo():
        return [location]
    if not location.is_dir():
        raise FileNotFoundError(f"input {location} is neither a file nor a folder")
    suffixes = (*CAPTURE_SUFFIXES, ".csv", ".parquet")
    return sorted(
        path for path in location.rglob("*") if path.suffix in suffixes and path.is_file()
    )


def read_inputs(
    paths: Iterable[Path], baseline: Baseline, tally: RecordTally | None = None
) -> Iterator:
    """Chunks of requests from capture files (JSON Lines), CSV files and Parquet files.

    Malformed capture records are skipped and counted in ``tally``; without one, the first raises.
    Files are read on a thread of their own while the consumer counts (see :func:`read_ahead`).
    """
    return read_ahead(_inputs(paths, baseline, tally))


def _inputs(paths: Iterable[Path], baseline: Baseline, tally: RecordTally | None) -> Iterator:
    for path in paths:
        if path.suffix in CAPTURE_SUFFIXES:
            yield from read_capture([path], baseline, tally)
        elif path.suffix == ".csv":
            yield from read_csv(path, baseline)
        elif path.suffix == ".parquet":
            yield from read_parquet(path, baseline)
        else:
            raise ValueError(
                f"input {path} has suffix '{path.suffix}': expected .jsonl, .csv or .parquet"
            )


def measure(
    baseline: Baseline,
    tables: Iterable,
    thresholds: Thresholds,
    tally: RecordTally | None = None,
) -> DriftReport:
    """The window's drift. ``tally`` is the one ``tables`` counts malformed records in: checked
    first, so a window of only bad records fails instead of passing as an empty one."""
    window = Window(baseline)
    for table in tables:
        window.add(table)
    if tally is not None:
        tally.check(thresholds.bad_record_share)
    return compare(window, thresholds, tally)


def read_ahead(chunks: Iterable) -> Iterator:
    """``chunks``, produced on a thread of their own while the consumer works on the previous
    ones: reading (Arrow's parsers) and counting (numpy) both release the GIL."""
    handoff: queue.Queue = queue.Queue(maxsize=_READ_AHEAD)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in chunks:
                if stop.is_set():
                    return
                handoff.put(chunk)
            handoff.put(done)
        except BaseException as error:  # handed over: the consumer raises it
            handoff.put(error)

    producer = threading.Thread(target=produce, name="drift-reader", daemon=True)
    producer.start()
    try:
        while (item := handoff.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while producer.is_alive():  # let a producer blocked on a full queue finish
            try:
                handoff.get_nowait()
            except queue.Empty:
                producer.join(timeout=0.05)


def summary(report: DriftReport) -> dict:
    """The run's numbers as JSON, for machines (the HTML report is for people)."""
    return {
        "rows": report.rows,
        "judged": report.judged,
        "min_requests": report.min_requests,
        "not_judged_because": report.too_small,
        "max_psi": report.max_psi,
        "violating_features": report.violating,
        "extra_columns": report.extra_columns,
        "bad_records": report.records.as_json(),
        "features": [
            {
                "name": item.name,
                "kind": item.kind,
                "psi": item.psi,
                "psi_p_value": item.psi_test.p_value,
                "distance": item.distance,
                "distance_error_bound": item.distance_error,
                "test": item.test.method,
                "statistic": item.test.statistic,
                "p_value": item.test.p_value,
                "inferred_type": item.inferred_type,
                "type_match": item.type_match,
                "reference_missing_rate": item.reference_missing_rate,
                "current_missing_rate": item.current_missing_rate,
                "values": item.current_count,
                "new_categories": item.new_categories,
                "violates": item.violates,
            }
            for item in report.features
        ],
    }


def write_outputs(report: DriftReport, header: Header, folder: str | Path) -> list[Path]:
    """The violations file, the HTML report (``header`` names what was compared, and by which
    thresholds) and the statistics JSON, in ``folder``."""
    from sagestack_pipelines.drift import report as html_report
    from sagestack_pipelines.drift import violations

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    statistics = folder / SUMMARY_FILE
    statistics.write_text(json.dumps(summary(report), indent=2))
    return [
        violations.write(report, header.thresholds, folder),
        html_report.write(report, header, folder),
        statistics,
    ]
