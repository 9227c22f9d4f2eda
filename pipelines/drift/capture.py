"""Read SageMaker endpoint data capture files as a stream of Arrow tables.

SageMaker writes one JSON object per line, in
``<prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/*.jsonl``::

    {"captureData": {"endpointInput": {"observedContentType": "text/csv", "mode": "INPUT",
                                       "data": "5.1,3.5,red", "encoding": "CSV"},
                     "endpointOutput": {...}},
     "eventMetadata": {"eventId": "...", "inferenceTime": "2024-05-01T10:00:00Z"},
     "eventVersion": "0"}

``encoding`` is ``CSV`` or ``JSON`` when the content type is listed in the endpoint config's
CaptureContentTypeHeader (the payload is kept as text) and ``BASE64`` otherwise (the payload is
base64 of the request body; its ``observedContentType`` says whether that body is CSV or JSON).
A CSV payload holds one request row per line, in the baseline's feature order. A JSON payload
is an object of feature values, a list of values in feature order, a list of either, or an
object with such a list under ``instances`` (optionally each ``{"features": [...]}``).
"""

from __future__ import annotations

import base64
import binascii
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from pipelines.drift.baseline import Baseline
from pipelines.drift.tables import column_types, csv_convert_options

# A chunk ends at whichever comes first: a batch request can hold thousands of rows per record.
RECORDS_PER_CHUNK = 10_000
CHUNK_BYTES = 4 << 20


class CaptureFormatError(ValueError):
    """A capture record that is not in SageMaker's data capture format."""


def read_capture(paths: Iterable[str | Path], baseline: Baseline) -> Iterator[pa.Table]:
    """The requests of every capture file in ``paths``, in chunks of bounded size."""
    for path in paths:
        with open(path, "rb") as lines:
            chunk = _Chunk(path, baseline)
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    chunk.add(number, line)
                if chunk.full:
                    yield chunk.table()
                    chunk = _Chunk(path, baseline)
            if chunk.records:
                yield chunk.table()


class _Chunk:
    """The requests of consecutive records; only their payloads are kept, CSV ones as one text."""

    def __init__(self, path, baseline: Baseline):
        self.path = path
        self.baseline = baseline
        self.csv = io.BytesIO()
        self.json_rows: list = []
        self.records = 0
        self.size = 0

    @property
    def full(self) -> bool:
        return self.records >= RECORDS_PER_CHUNK or self.size >= CHUNK_BYTES

    def add(self, number: int, line: bytes) -> None:
        kind, payload = _request_payload(self.path, number, line)
        if kind == "csv":
            self.csv.write(payload.rstrip(b"\r\n"))
            self.csv.write(b"\n")
        elif kind == "json":
            self.json_rows.extend(_json_rows(self.path, number, payload))
        self.records += 1
        self.size += len(payload)

    def table(self) -> pa.Table:
        tables = []
        if self.csv.tell():
            tables.append(_csv_table(self.path, self.csv.getbuffer(), self.baseline))
        if self.json_rows:
            tables.append(_json_table(self.path, self.json_rows, self.baseline))
        if not tables:
            types = column_types(self.baseline)
            return pa.table({name: pa.array([], type) for name, type in types.items()})
        return pa.concat_tables(tables) if len(tables) > 1 else tables[0]


def _request_payload(path, number: int, line: bytes) -> tuple[str, bytes]:
    """("csv" | "json" | "none", body) of one capture record's endpointInput."""
    try:
        record = json.loads(line)
        endpoint_input = record["captureData"].get("endpointInput")
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
        raise CaptureFormatError(
            f"{path}:{number} is not a data capture record "
            f"(expected JSON with captureData): {error}"
        ) from error
    if endpoint_input is None:  # an Output-only capture holds no request
        return "none", b""
    encoding = endpoint_input.get("encoding")
    data = endpoint_input.get("data", "")
    content_type = endpoint_input.get("observedContentType", "")
    if encoding == "CSV":
        return "csv", data.encode()
    if encoding == "JSON":
        return "json", data.encode()
    if encoding == "BASE64":
        try:
            body = base64.b64decode(data, validate=True)
        except binascii.Error as error:
            raise CaptureFormatError(
                f"{path}:{number} data is not valid base64: {error}"
            ) from error
        return _kind_of(path, number, content_type), body
    raise CaptureFormatError(
        f"{path}:{number} encoding {encoding!r} is invalid: expected CSV, JSON or BASE64"
    )


def _kind_of(path, number: int, content_type: str) -> str:
    media_type = content_type.split(";")[0].strip().lower()
    if media_type.endswith("csv"):
        return "csv"
    if media_type.endswith("json") or media_type.endswith("jsonlines"):
        return "json"
    raise CaptureFormatError(
        f"{path}:{number} observedContentType {content_type!r} is not supported: "
        "expected a CSV or JSON content type"
    )


def _csv_table(path, text: memoryview, baseline: Baseline) -> pa.Table:
    try:
        return pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(text)),
            read_options=pacsv.ReadOptions(column_names=list(baseline.features)),
            convert_options=csv_convert_options(baseline),
        )
    except pa.ArrowInvalid as error:
        raise CaptureFormatError(
            f"{path}: CSV requests do not match the baseline's {len(baseline.features)} features "
            f"{list(baseline.features)}: {error}"
        ) from error


def _json_rows(path, number: int, payload: bytes) -> list:
    try:
        document = json.loads(payload)
    except json.JSONDecodeError:
        # application/jsonlines: one instance per line
        try:
            return [
                row
                for text in payload.splitlines()
                if text.strip()
                for row in _rows(json.loads(text))
            ]
        except json.JSONDecodeError as error:
            raise CaptureFormatError(
                f"{path}:{number} JSON request is not valid JSON: {error}"
            ) from error
    return _rows(document)


def _rows(document) -> list:
    if isinstance(document, dict):
        if isinstance(document.get("instances"), list):
            return [row for item in document["instances"] for row in _rows(item)]
        if isinstance(document.get("features"), list):
            return [document["features"]]
        return [document]
    if isinstance(document, list):
        if document and all(isinstance(item, dict | list) for item in document):
            return [row for item in document for row in _rows(item)]
        return [document]
    raise CaptureFormatError(f"JSON request {document!r} is not an object or a list of values")


def _json_table(path, rows: list, baseline: Baseline) -> pa.Table:
    features = baseline.features
    columns: dict[str, list] = {name: [] for name in features}
    for row in rows:
        if isinstance(row, dict):
            for name in features:
                columns[name].append(row.get(name))
        elif len(row) == len(features):
            for name, value in zip(features, row, strict=True):
                columns[name].append(value)
        else:
            raise CaptureFormatError(
                f"{path}: JSON request {row!r} has {len(row)} values, "
                f"the baseline's features are {len(features)}: {list(features)}"
            )
    return pa.table(
        {name: _array(path, name, values, baseline) for name, values in columns.items()}
    )


def _array(path, name: str, values: list, baseline: Baseline) -> pa.Array:
    if name in baseline.categorical:
        return pa.array([None if value is None else str(value) for value in values], pa.string())
    try:
        return pa.array([None if value is None else float(value) for value in values], pa.float64())
    except (TypeError, ValueError) as error:
        raise CaptureFormatError(
            f"{path}: numeric feature '{name}' holds a value that is not a number: {error}"
        ) from error
