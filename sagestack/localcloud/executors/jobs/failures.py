"""Why a job failed, in SageMaker's words.

SageMaker prefixes a job's FailureReason with the error's class: ``ClientError`` for what the
caller can fix (its role, its inputs, its image), ``AlgorithmError`` for what the container did
(a non-zero exit, with the text of ``/opt/ml/output/failure`` when the container wrote one), and
``InternalServerError`` for the service's own faults. A FailureReason holds at most 1024
characters (DescribeTrainingJob's shape).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MAX_REASON = 1024
ALGORITHM_ERROR = "AlgorithmError"
CLIENT_ERROR = "ClientError"
INTERNAL_ERROR = "InternalServerError"
# what a processing job says when its container exits non-zero (AWS's exact text)
SEE_LOGS = "See job logs for more information"
INTERNAL_MESSAGE = "We encountered an internal error.  Please try again."

# the last line of a Python traceback: "ValueError: ...", "pkg.module.Error: ...", "KeyError"
_ERROR_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b(:.*)?$")


class JobFailure(Exception):
    """A job ends Failed with ``reason`` (already in SageMaker's wording)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = fit(reason)


def client_error(message: str) -> JobFailure:
    return JobFailure(f"{CLIENT_ERROR}: {message}")


def internal_error() -> JobFailure:
    return JobFailure(f"{INTERNAL_ERROR}: {INTERNAL_MESSAGE}")


def algorithm_error(message: str = SEE_LOGS) -> str:
    return fit(f"{ALGORITHM_ERROR}: {message.strip() or SEE_LOGS}")


def fit(reason: str) -> str:
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 3] + "..."


def last_error_line(lines: Sequence[str]) -> str | None:
    """The last line of the output that reads like a Python exception (``ValueError: ...``)."""
    for line in reversed(lines):
        text = line.strip()
        if _ERROR_LINE.match(text):
            return text
    return None


def download_failed(uri: str, error: Exception) -> JobFailure:
    return client_error(f"Failed to download data. {_service_error(error)} ({uri})")


def upload_failed(uri: str, error: Exception) -> JobFailure:
    return client_error(f"Failed to upload data. {_service_error(error)} ({uri})")


def no_objects(uri: str, region: str, role_arn: str, bucket: str) -> JobFailure:
    # CreateTrainingJob's wording for an input prefix with nothing under it
    return client_error(
        f'No S3 objects found under S3 URL "{uri}" given in input data source. Please ensure '
        f"that the bucket exists in the selected region ({region}), that objects exist under "
        f'that S3 prefix, and that the role "{role_arn}" has "s3:ListBucket" permissions on '
        f'bucket "{bucket}".'
    )


def _service_error(error: Exception) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        details = response.get("Error", {})
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = details.get("Code", "Error")
        return f"{code} ({status}): {details.get('Message') or code}"
    return str(error)
