"""moto's SageMaker records as the executors see them: jobs, pipelines, pipeline executions.

moto answers Describe* from each record's attributes, named as the API's fields in snake case
(``FailureReason`` is ``failure_reason``), and leaves out those that are None. So a field set
with :func:`update_record` is what DescribeTrainingJob, ListTrainingJobs and the job's events
show. moto creates every job ``Completed`` with its end time set; the executors put the record
back to what AWS shows at creation before running the job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from sagestack.localcloud.moto.backends import backend, iter_backends

# the Describe operation's kind -> moto's backend attribute holding the records by name
JOB_COLLECTIONS = {
    "ProcessingJob": "processing_jobs",
    "TrainingJob": "training_jobs",
    "TransformJob": "transform_jobs",
}
_CAPITALS = re.compile(r"(?<!^)(?=[A-Z])")


def attribute_name(field: str) -> str:
    """``FailureReason`` -> ``failure_reason`` (how moto names a record's fields)."""
    return _CAPITALS.sub("_", field).lower()


def job_record(kind: str, account_id: str, region: str, name: str) -> Any | None:
    """moto's record of a ``kind`` job (``ProcessingJob``, ...) by name, or None."""
    jobs = getattr(backend("sagemaker", account_id, region), JOB_COLLECTIONS[kind])
    return jobs.get(name)


def job_records() -> Iterator[tuple[str, Any]]:
    """``(kind, record)`` for every job of every backend."""
    for _account, _region, sagemaker in iter_backends("sagemaker"):
        for kind, collection in JOB_COLLECTIONS.items():
            for record in list(getattr(sagemaker, collection).values()):
                yield kind, record


def update_record(record: Any, fields: Mapping[str, Any]) -> None:
    """Set fields given by their API names; None removes a field from the record's answers."""
    for field, value in fields.items():
        setattr(record, attribute_name(field), value)


def describe_record(record: Any) -> dict[str, Any]:
    """The record as its Describe operation answers (moto's response object)."""
    return dict(record.response_object)


def now() -> datetime:
    """A time as moto stores it: naive UTC."""
    from sagestack.localcloud import clock

    return clock.current().now().astimezone(UTC).replace(tzinfo=None)


def pipeline_record(account_id: str, region: str, name: str) -> Any | None:
    return backend("sagemaker", account_id, region).pipelines.get(name)


def pipeline_records() -> Iterator[tuple[str, str, Any]]:
    """``(account, region, pipeline)`` for every pipeline of every backend."""
    for account_id, region, sagemaker in iter_backends("sagemaker"):
        for pipeline in list(sagemaker.pipelines.values()):
            yield account_id, region, pipeline


def execution_record(account_id: str, region: str, execution_arn: str) -> tuple[Any, Any] | None:
    """``(pipeline, execution)`` of an execution ARN, or None."""
    for pipeline in list(backend("sagemaker", account_id, region).pipelines.values()):
        execution = pipeline.pipeline_executions.get(execution_arn)
        if execution is not None:
            return pipeline, execution
    return None


def execution_records(pipeline: Any) -> list[Any]:
    return list(pipeline.pipeline_executions.values())


def remove_pipeline(account_id: str, region: str, name: str) -> None:
    backend("sagemaker", account_id, region).pipelines.pop(name, None)
