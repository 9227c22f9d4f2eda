"""What a page links to: the runbook on-call opens first and, for drift, where the window's
report is, in forms that work outside this repository (a URL, an S3 URI, a console address).

Every alarm description ends with ``Runbook: <link>``. With ``sagestack:runbookBaseUrl`` set (the
URL of this repository's ``docs/runbooks/`` folder on your git host, or of a docs site serving the
same files) the link is that URL plus the page; without it, the page is named by its path in the
repository, which helps only someone with a checkout at hand. ``tests/program/test_oncall_pages.py``
checks that every page and section named here exists.
"""

from __future__ import annotations

from urllib.parse import quote

from sagestack import contract

REPOSITORY_FOLDER = "docs/runbooks/"

ENDPOINT_ERRORS = "endpoint.md#errors"
ENDPOINT_LATENCY = "endpoint.md#latency"
FEATURE_DRIFT = "drift.md"
DRIFT_MONITOR_SILENT = "drift-monitor.md"
CAPTURE_GAP = "capture-gap.md"
PIPELINE_FAILED = "pipeline-failure.md"
BUILD_FAILED = "build-failure.md"
ENDPOINT_FAILED = "endpoint.md#failed-or-rolled-back"

PAGES = (
    ENDPOINT_ERRORS,
    ENDPOINT_LATENCY,
    FEATURE_DRIFT,
    DRIFT_MONITOR_SILENT,
    CAPTURE_GAP,
    PIPELINE_FAILED,
    BUILD_FAILED,
    ENDPOINT_FAILED,
)


def runbook_url(page: str, base_url: str | None) -> str:
    """Where ``page`` (a file under docs/runbooks/, with an optional ``#section``) is read."""
    if base_url is None:
        return REPOSITORY_FOLDER + page
    return f"{base_url.rstrip('/')}/{page}"


def s3_console_url(bucket: str, region: str, prefix: str) -> str:
    """The S3 console's address of a folder (the console's own URL form, as its address bar
    shows it: not an API, so a link that breaks costs a click, not a page)."""
    folder = quote(prefix.rstrip("/") + "/", safe="/")
    return f"https://s3.console.aws.amazon.com/s3/buckets/{bucket}?region={region}&prefix={folder}"


def drift_report_hint(bucket: str, region: str, project: str, model_monitor: bool) -> str:
    """Where the report of the window that paged is: one folder per window, newest last."""
    if model_monitor:
        prefix = contract.model_monitor_report_prefix(project)
        return (
            f"Model Monitor's reports: s3://{bucket}/{prefix}/ (newest last; "
            f"{s3_console_url(bucket, region, prefix)})."
        )
    prefix = contract.drift_report_prefix(project)
    return (
        f"Report: s3://{bucket}/{prefix}/<window end, UTC, e.g. 20261126T2200Z>/"
        f"{contract.DRIFT_REPORT_FILE}, newest last ({s3_console_url(bucket, region, prefix)})."
    )
