"""A running job's record (moto's, so Describe* and List* show it) and its state change events.

moto creates a job already ``Completed``; :meth:`JobRecord.created` puts it back to what AWS
shows when it is created (``InProgress``, no end time), and each change of status afterwards
goes to the record and, as "SageMaker <kind> State Change", to EventBridge with the job's
description as the detail. Times in events are epoch milliseconds: numbers for processing jobs,
strings for training jobs (AWS's own event samples).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sagestack.localcloud.executors import events
from sagestack.localcloud.moto import sagemaker as moto_sagemaker

SOURCE = "aws.sagemaker"


@dataclass(frozen=True)
class Kind:
    name: str  # "ProcessingJob", the API's noun
    status_field: str
    start_field: str
    end_field: str
    event: str
    log_group: str
    string_times: bool  # event times as strings of epoch milliseconds


PROCESSING = Kind(
    "ProcessingJob",
    "ProcessingJobStatus",
    "ProcessingStartTime",
    "ProcessingEndTime",
    "SageMaker Processing Job State Change",
    "/aws/sagemaker/ProcessingJobs",
    string_times=False,
)
TRAINING = Kind(
    "TrainingJob",
    "TrainingJobStatus",
    "TrainingStartTime",
    "TrainingEndTime",
    "SageMaker Training Job State Change",
    "/aws/sagemaker/TrainingJobs",
    string_times=True,
)
KINDS = {kind.name: kind for kind in (PROCESSING, TRAINING)}
TERMINAL = frozenset({"Completed", "Failed", "Stopped"})


class JobRecord:
    """The record of one job in moto's backend, changed only through these methods."""

    def __init__(self, kind: Kind, account_id: str, region: str, name: str):
        self.kind, self.account_id, self.region, self.name = kind, account_id, region, name
        self._lock = threading.Lock()
        self._record = moto_sagemaker.job_record(kind.name, account_id, region, name)

    @property
    def record(self) -> Any | None:
        """moto's record; None once the backends were reset under the job (a job of the same
        name created since is another job's record)."""
        current = moto_sagemaker.job_record(self.kind.name, self.account_id, self.region, self.name)
        return current if current is self._record and current is not None else None

    @property
    def arn(self) -> str:
        record = self.record
        return record.arn if record is not None else ""

    def status(self) -> str | None:
        record = self.record
        if record is None:
            return None
        return moto_sagemaker.describe_record(record).get(self.kind.status_field)

    def created(self, request_fields: dict[str, Any]) -> None:
        """The record as AWS shows a job it just accepted; ``request_fields`` are members of
        the request moto does not keep (``Environment``, ``ProcessingResources``, ...)."""
        fields: dict[str, Any] = {
            **request_fields,
            self.kind.status_field: "InProgress",
            self.kind.end_field: None,
            self.kind.start_field: None,
            "FailureReason": None,
            "LastModifiedTime": moto_sagemaker.now(),
        }
        if self.kind is TRAINING:
            fields |= {
                "SecondaryStatus": "Starting",
                "SecondaryStatusTransitions": [],
                "FinalMetricDataList": [],
            }
        self._update(fields, publish=True)
        if self.kind is TRAINING:
            self.secondary("Starting", "Launching requested ML instances")

    def started(self) -> None:
        self._update({self.kind.start_field: moto_sagemaker.now()}, publish=False)

    def secondary(self, status: str, message: str) -> None:
        """A training job's SecondaryStatus and its transition history."""
        if self.kind is not TRAINING:
            return
        with self._lock:
            record = self.record
            if record is None:
                return
            now = moto_sagemaker.now()
            transitions = list(getattr(record, "secondary_status_transitions", None) or [])
            if transitions and "EndTime" not in transitions[-1]:
                transitions[-1] = {**transitions[-1], "EndTime": now}
            transitions.append({"Status": status, "StartTime": now, "StatusMessage": message})
            moto_sagemaker.update_record(
                record,
                {"SecondaryStatus": status, "SecondaryStatusTransitions": transitions},
            )

    def stopping(self) -> None:
        self._update({self.kind.status_field: "Stopping"}, publish=True)
        self.secondary("Stopping", "Stopping the job")

    def finished(self, status: str, failure_reason: str | None = None, **fields: Any) -> None:
        """The job ended ``Completed``, ``Failed`` or ``Stopped``."""
        now = moto_sagemaker.now()
        update = {
            self.kind.status_field: status,
            self.kind.end_field: now,
            "FailureReason": failure_reason,
            **fields,
        }
        record = self.record
        if record is not None and self.kind is TRAINING and record.training_start_time:
            elapsed = (now - record.training_start_time).total_seconds()
            update["TrainingTimeInSeconds"] = max(1, round(elapsed))
            update["BillableTimeInSeconds"] = update["TrainingTimeInSeconds"]
        secondary = fields.get("SecondaryStatus", status)
        self._update(update, publish=False)
        self.secondary(secondary, _SECONDARY_MESSAGES.get(secondary, status))
        self._update({}, publish=True)

    def _update(self, fields: dict[str, Any], publish: bool) -> None:
        with self._lock:
            record = self.record
            if record is None:
                return
            moto_sagemaker.update_record(record, {**fields, "LastModifiedTime": _now_or(fields)})
            detail = moto_sagemaker.describe_record(record)
        if publish:
            events.put_event(
                self.account_id,
                self.region,
                SOURCE,
                self.kind.event,
                _epoch_millis(detail, as_string=self.kind.string_times),
                resources=[detail.get(f"{self.kind.name}Arn", "")],
            )


_SECONDARY_MESSAGES = {
    "Completed": "Training job completed",
    "Failed": "Training job failed",
    "Stopped": "The job was stopped",
    "MaxRuntimeExceeded": "The job stopped because it exceeded the maximum allowed runtime",
}


def _now_or(fields: dict[str, Any]) -> datetime:
    return fields.get("LastModifiedTime") or moto_sagemaker.now()


def _epoch_millis(value: Any, as_string: bool) -> Any:
    if isinstance(value, datetime):
        millis = int(value.replace(tzinfo=value.tzinfo or UTC).timestamp() * 1000)
        return str(millis) if as_string else millis
    if isinstance(value, dict):
        return {key: _epoch_millis(item, as_string) for key, item in value.items()}
    if isinstance(value, list):
        return [_epoch_millis(item, as_string) for item in value]
    return value
