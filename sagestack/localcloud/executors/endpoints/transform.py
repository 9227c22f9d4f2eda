"""Batch transform: a transform job runs its model's server over the objects under an S3 prefix.

The same model server as an endpoint's (with ``SAGEMAKER_BATCH`` and the batch settings in its
environment) answers one request per object (``SplitType`` ``None``) or per record or mini-batch
of records (``Line``; ``SingleRecord`` or ``MultiRecord`` up to ``MaxPayloadInMB``). Each input
``<prefix>/<path>`` becomes ``<S3OutputPath>/<path>.out`` (responses joined by a newline with
``AssembleWith`` ``Line``), encrypted with ``KmsKeyId``; ``JoinSource`` ``Input`` joins CSV or
JSON Lines records with their output. Any failed record fails the job (``AlgorithmError: See
job logs for more information``), and nothing partial is written for that object.
"""

from __future__ import annotations

import gzip
import json
import logging
import secrets
import threading
from collections.abc import Iterator
from typing import Any

from sagestack.localcloud.executors import events, runtime
from sagestack.localcloud.executors.endpoints import status
from sagestack.localcloud.executors.endpoints.containers import ContainerError
from sagestack.localcloud.executors.endpoints.credentials import RoleNotAssumable
from sagestack.localcloud.executors.endpoints.instance import InstanceFailed
from sagestack.localcloud.executors.endpoints.variant import Placement, Variant, VariantPlan
from sagestack.localcloud.executors.images import ImageNotInstalledError
from sagestack.localcloud.executors.sandbox import NoSandboxError

log = logging.getLogger(__name__)

STATE_CHANGE = "SageMaker Transform Job State Change"
ALGORITHM_ERROR = "AlgorithmError: See job logs for more information"
LOG_GROUP = "/aws/sagemaker/TransformJobs"
REQUEST_TIMEOUT_SECONDS = 3600.0  # ModelClientConfig's largest InvocationsTimeoutInSeconds


class JobFailed(Exception):
    """The job fails; the message is its FailureReason."""


_RUNNING: dict[str, threading.Event] = {}  # job ARN -> set when the job must stop
_LOCK = threading.Lock()


def start(job: Any) -> None:
    job.transform_job_status = "InProgress"
    job.failure_reason = None
    job.transform_start_time = job.last_modified_time = status.now()
    job.transform_end_time = None
    stopping = threading.Event()
    with _LOCK:
        _RUNNING[job.arn] = stopping
    _announce(job)
    threading.Thread(
        target=_run, args=(job, stopping), name=f"transform-{job.transform_job_name}", daemon=True
    ).start()


def stop(job: Any) -> None:
    with _LOCK:
        stopping = _RUNNING.get(job.arn)
    if stopping is not None:
        job.transform_job_status = "Stopping"
        stopping.set()


def stop_all() -> None:
    with _LOCK:
        for stopping in _RUNNING.values():
            stopping.set()


def _run(job: Any, stopping: threading.Event) -> None:
    variant: Variant | None = None
    try:
        variant = _start_server(job)
        _transform_all(job, variant, stopping)
        job.transform_job_status = "Stopped" if stopping.is_set() else "Completed"
    except JobFailed as failure:
        job.transform_job_status, job.failure_reason = "Failed", str(failure)
    except Exception as error:  # noqa: BLE001 - a job always ends
        log.exception("transform job %s failed", job.transform_job_name)
        job.transform_job_status, job.failure_reason = "Failed", f"InternalServerError: {error}"
    finally:
        if variant is not None:
            variant.stop()
        with _LOCK:
            _RUNNING.pop(job.arn, None)
    job.transform_end_time = job.last_modified_time = status.now()
    _announce(job)


def _start_server(job: Any) -> Variant:
    account_id, region = job.arn.split(":")[4], job.arn.split(":")[3]
    resources = job.transform_resources or {}
    plan = VariantPlan(
        name=job.transform_job_name,
        model_name=job.model_name,
        instance_count=int(resources.get("InstanceCount") or 1),
        weight=1.0,
        instance_type=resources.get("InstanceType", ""),
        environment=_batch_environment(job),
    )
    placement = Placement(
        account_id=account_id,
        region=region,
        endpoint=job.transform_job_name,
        endpoint_arn=job.arn,
        config_name=job.transform_job_name,
        log_group=LOG_GROUP,
        root=runtime.current().work_folder(
            "transform-jobs", f"{job.transform_job_name}-{secrets.token_hex(4)}"
        ),
    )
    variant = Variant(plan, placement, capture=None)
    try:
        variant.prepare()
        variant.add_instances(plan.instance_count)
    except InstanceFailed:
        variant.stop()
        raise JobFailed(
            f"ClientError: The container for transform job {job.transform_job_name} did not pass "
            "the ping health check. Please check CloudWatch logs for this job."
        ) from None
    except (ContainerError, RoleNotAssumable, ImageNotInstalledError, NoSandboxError) as error:
        variant.stop()
        raise JobFailed(f"ClientError: {error}") from None
    return variant


def _batch_environment(job: Any) -> dict[str, str]:
    strategy = "MULTI_RECORD" if job.batch_strategy == "MultiRecord" else "SINGLE_RECORD"
    return {
        **(job.environment or {}),
        "SAGEMAKER_BATCH": "True",
        "SAGEMAKER_MAX_PAYLOAD_IN_MB": str(job.max_payload_in_mb or 6),
        "SAGEMAKER_BATCH_STRATEGY": strategy,
        "SAGEMAKER_MAX_CONCURRENT_TRANSFORMS": str(job.max_concurrent_transforms or 1),
    }


def _transform_all(job: Any, variant: Variant, stopping: threading.Event) -> None:
    settings = _Settings(job)
    s3 = variant.role_client("s3")
    for key, relative in _input_objects(s3, settings.input_uri):
        if stopping.is_set():
            return
        body = s3.get_object(Bucket=settings.input_bucket, Key=key)["Body"].read()
        if settings.gzip:
            body = gzip.decompress(body)
        output = b"".join(_transform_object(job, variant, settings, body))
        out_key = "/".join(p for p in (settings.output_prefix, f"{relative}.out") if p)
        s3.put_object(
            Bucket=settings.output_bucket, Key=out_key, Body=output, **settings.encryption
        )


class _Settings:
    def __init__(self, job: Any):
        source = job.transform_input["DataSource"]["S3DataSource"]
        if source.get("S3DataType", "S3Prefix") != "S3Prefix":
            raise JobFailed(
                f"ClientError: S3DataType {source['S3DataType']} is not run locally (use S3Prefix)"
            )
        self.input_uri = source["S3Uri"]
        self.input_bucket = self.input_uri.removeprefix("s3://").partition("/")[0]
        self.content_type = job.transform_input.get("ContentType")
        self.gzip = job.transform_input.get("CompressionType") == "Gzip"
        self.split = job.transform_input.get("SplitType", "None")
        if self.split not in ("None", "Line"):
            raise JobFailed(
                f"ClientError: SplitType {self.split} is not run locally (use None or Line)"
            )
        output = job.transform_output
        self.output_bucket, _, prefix = output["S3OutputPath"].removeprefix("s3://").partition("/")
        self.output_prefix = prefix.strip("/")
        self.accept = output.get("Accept")
        self.line = output.get("AssembleWith") == "Line"
        kms = output.get("KmsKeyId")
        self.encryption = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms} if kms else {}
        processing = job.data_processing or {}
        for key in ("InputFilter", "OutputFilter"):
            if processing.get(key, "$") != "$":
                raise JobFailed(
                    f"ClientError: DataProcessing {key} {processing[key]} is not run locally "
                    "(only $)"
                )
        self.join_input = processing.get("JoinSource") == "Input"
        self.multi_record = job.batch_strategy == "MultiRecord"
        self.max_payload = int(float(job.max_payload_in_mb or 6) * 1024 * 1024)


def _input_objects(s3: Any, uri: str) -> Iterator[tuple[str, str]]:
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    keys = [
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])
        if not item["Key"].endswith("/")
    ]
    if not keys:
        raise JobFailed(
            f'ClientError: No S3 objects found under S3 URL "{uri}" given in input data source.'
        )
    for key in sorted(keys):
        relative = key[len(prefix) :].lstrip("/") if key != prefix else key.rsplit("/", 1)[-1]
        yield key, relative


def _transform_object(
    job: Any, variant: Variant, settings: _Settings, body: bytes
) -> Iterator[bytes]:
    for records in _requests(settings, body):
        payload = b"\n".join(records) if settings.split == "Line" else records[0]
        answer = _call(variant, settings, payload)
        if settings.join_input:
            answer = _join(records, answer)
        if settings.line and not answer.endswith(b"\n"):
            answer += b"\n"
        yield answer


def _requests(settings: _Settings, body: bytes) -> Iterator[list[bytes]]:
    if settings.split != "Line":
        yield [body]
        return
    batch: list[bytes] = []
    size = 0
    for record in (line for line in body.split(b"\n") if line.strip()):
        if len(record) > settings.max_payload:
            raise JobFailed(f"ClientError: a record of {len(record)} bytes exceeds MaxPayloadInMB")
        if batch and (not settings.multi_record or size + len(record) + 1 > settings.max_payload):
            yield batch
            batch, size = [], 0
        batch.append(record)
        size += len(record) + 1
    if batch:
        yield batch


def _call(variant: Variant, settings: _Settings, payload: bytes) -> bytes:
    # without a ContentType, SageMaker sends none and the container picks its default
    headers = {"Content-Type": settings.content_type} if settings.content_type else {}
    if settings.accept:
        headers["Accept"] = settings.accept
    instance = variant.pick()
    answer = instance.forward("/invocations", payload, headers, REQUEST_TIMEOUT_SECONDS)
    if not 200 <= answer.status < 300:
        instance.on_line(f"invocation failed with status {answer.status}: {answer.body[:2000]!r}")
        raise JobFailed(ALGORITHM_ERROR)
    return answer.body


def _join(records: list[bytes], answer: bytes) -> bytes:
    outputs = [line for line in answer.split(b"\n") if line.strip()]
    if len(outputs) != len(records):
        raise JobFailed(
            "ClientError: JoinSource Input needs one output per record; got "
            f"{len(outputs)} for {len(records)}"
        )
    return b"".join(
        _joined(record, output) + b"\n" for record, output in zip(records, outputs, strict=True)
    )


def _joined(record: bytes, output: bytes) -> bytes:
    try:
        document = json.loads(record)
    except ValueError:
        return record + b"," + output
    try:
        value = json.loads(output)
    except ValueError:
        value = output.decode("utf-8", "replace")
    if isinstance(document, dict):
        return json.dumps({**document, "SageMakerOutput": value}).encode()
    return json.dumps({"SageMakerInput": document, "SageMakerOutput": value}).encode()


def _announce(job: Any) -> None:
    account_id, region = job.arn.split(":")[4], job.arn.split(":")[3]
    detail = {key: value for key, value in job.response_object.items() if value is not None}
    events.put_event(
        account_id, region, status.SOURCE, STATE_CHANGE, status.millis_in(detail), [job.arn]
    )
