"""Data capture: a variant's requests and responses written to S3 as SageMaker writes them.

Per the endpoint config's ``DataCaptureConfig``: a sample of ``InitialSamplingPercentage`` of the
invocations, the input, the output or both (``CaptureOptions``), each payload kept as text
(``CSV`` / ``JSON``) when its content type is listed in ``CaptureContentTypeHeader`` and as
``BASE64`` otherwise, one JSON record per line::

    {"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT",
     "data":"5.1,3.5","encoding":"CSV"},"endpointOutput":{...}},
     "eventMetadata":{"eventId":"<uuid>","inferenceId":"<if given>",
     "inferenceTime":"2024-05-01T10:00:00Z"},"eventVersion":"0"}

in ``<DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm>-<ss>-<mmm>-<uuid>.jsonl`` (the UTC
hour of the invocation; the name is the minute, second and millisecond of the file's first
record), encrypted with ``KmsKeyId`` when one is given. SageMaker buffers about a minute per file;
the local endpoint writes what it has every :data:`FLUSH_SECONDS`, so a drift run sees requests
seconds after they were made. Only invocations the model answered with 2xx are captured.
"""

from __future__ import annotations

import base64
import json
import logging
import random
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)

FLUSH_SECONDS = 1.0


@dataclass(frozen=True)
class CaptureConfig:
    destination: str  # s3://bucket[/prefix]
    sampling_percentage: float
    capture_input: bool
    capture_output: bool
    csv_types: frozenset[str]
    json_types: frozenset[str]
    kms_key_id: str | None

    @classmethod
    def from_api(cls, config: Mapping[str, Any] | None) -> CaptureConfig | None:
        """The config of DataCaptureConfig, or None when nothing is captured."""
        if not config or config.get("EnableCapture") is False:
            return None
        modes = {option.get("CaptureMode") for option in config.get("CaptureOptions") or []}
        headers = config.get("CaptureContentTypeHeader") or {}
        return cls(
            destination=config["DestinationS3Uri"].rstrip("/"),
            sampling_percentage=float(config.get("InitialSamplingPercentage", 0)),
            capture_input=bool(modes & {"Input", "InputAndOutput"}),
            capture_output=bool(modes & {"Output", "InputAndOutput"}),
            csv_types=frozenset(media_type(t) for t in headers.get("CsvContentTypes") or ()),
            json_types=frozenset(media_type(t) for t in headers.get("JsonContentTypes") or ()),
            kms_key_id=config.get("KmsKeyId"),
        )


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


@dataclass(frozen=True)
class Exchange:
    """One invocation as capture sees it."""

    request_body: bytes
    request_content_type: str
    response_body: bytes
    response_content_type: str
    inference_id: str | None
    at: datetime


def capture_record(config: CaptureConfig, exchange: Exchange) -> dict[str, Any]:
    data = {}
    if config.capture_input:
        data["endpointInput"] = _payload(
            config, exchange.request_body, exchange.request_content_type, "INPUT"
        )
    if config.capture_output:
        data["endpointOutput"] = _payload(
            config, exchange.response_body, exchange.response_content_type, "OUTPUT"
        )
    metadata = {"eventId": str(uuid.uuid4())}
    if exchange.inference_id:
        metadata["inferenceId"] = exchange.inference_id
    metadata["inferenceTime"] = exchange.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"captureData": data, "eventMetadata": metadata, "eventVersion": "0"}


def _payload(config: CaptureConfig, body: bytes, content_type: str, mode: str) -> dict[str, str]:
    kind = media_type(content_type)
    encoding = "CSV" if kind in config.csv_types else "JSON" if kind in config.json_types else None
    text = None
    if encoding is not None:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            encoding = None
    if encoding is None:
        encoding, text = "BASE64", base64.b64encode(body).decode("ascii")
    return {"observedContentType": content_type, "mode": mode, "data": text, "encoding": encoding}


def capture_key(prefix: str, endpoint: str, variant: str, first_at: datetime) -> str:
    at = first_at.astimezone(UTC)
    name = f"{at:%M-%S}-{at.microsecond // 1000:03d}-{uuid.uuid4()}.jsonl"
    path = f"{endpoint}/{variant}/{at:%Y/%m/%d/%H}/{name}"
    return f"{prefix}/{path}" if prefix else path


class CaptureWriter:
    """Buffers a variant's capture records and writes them to S3 every :data:`FLUSH_SECONDS`."""

    def __init__(
        self,
        config: CaptureConfig,
        endpoint: str,
        variant: str,
        s3_client: Callable[[], Any],
        sample: Callable[[], float] = random.random,
    ):
        self.config, self.endpoint, self.variant = config, endpoint, variant
        self.bucket, _, self.prefix = config.destination.removeprefix("s3://").partition("/")
        self._s3_client = s3_client
        self._sample = sample
        self._pending: dict[str, list[tuple[datetime, str]]] = {}  # hour partition -> records
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._flusher: threading.Thread | None = None

    def record(self, exchange: Exchange) -> None:
        if self._sample() * 100 >= self.config.sampling_percentage:
            return
        line = json.dumps(capture_record(self.config, exchange), separators=(",", ":"))
        hour = exchange.at.astimezone(UTC).strftime("%Y%m%d%H")
        with self._lock:
            self._pending.setdefault(hour, []).append((exchange.at, line))
            if self._flusher is None and not self._closed.is_set():
                self._flusher = threading.Thread(target=self._flush_periodically, daemon=True)
                self._flusher.start()

    def _flush_periodically(self) -> None:
        while not self._closed.wait(FLUSH_SECONDS):
            self.flush()

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        for records in pending.values():
            key = capture_key(self.prefix, self.endpoint, self.variant, records[0][0])
            body = ("\n".join(line for _, line in records) + "\n").encode("utf-8")
            self._put(key, body)

    def _put(self, key: str, body: bytes) -> None:
        encryption = (
            {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.config.kms_key_id}
            if self.config.kms_key_id
            else {}
        )
        try:
            self._s3_client().put_object(Bucket=self.bucket, Key=key, Body=body, **encryption)
        except Exception:  # noqa: BLE001 - capture is best effort, as on SageMaker
            log.warning("capture file s3://%s/%s not written", self.bucket, key, exc_info=True)

    def close(self) -> None:
        self._closed.set()
        if self._flusher is not None:
            self._flusher.join()
        self.flush()
