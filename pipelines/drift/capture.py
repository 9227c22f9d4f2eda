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

A malformed record (not JSON, a CSV body with the wrong column count, a non-number in a numeric
feature...) is skipped and counted in a :class:`~sagestack_pipelines.drift.records.RecordTally`
per reason; without a tally the first one raises.
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

from sagestack_pipelines.drift import records as reasons
from sagestack_pipelines.drift.baseline import Baseline
from sagestack_pipelines.drift.records import MalformedRecordError, RecordTally
from sagestack_pipelines.drift.tables import column_types, csv_convert_options

# A chunk ends at whichever comes first: a batch request can hold thousands of rows per record.
RECORDS_PER_CHUNK = 10_000
CHUNK_BYTES = 4 << 20


class CaptureFormatError(MalformedRecordError):
    """A capture record that is not in SageMaker's data capture format."""


def read_capture(
    paths: Iterable[str | Path], baseline: Baseline, tally: RecordTally | None = None
) -> Iterator[pa.Table]:
    """The requests of every capture file in ``paths``, in chunks of bounded size.

    Malformed records are skipped and counted in ``tally``; without one, the first raises.
    """
    for path in paths:
        with open(path, "rb") as lines:
            chunk = _Chunk(path, baseline, tally)
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    chunk.add(number, line)
                if chunk.full:
                    yield chunk.table()
                    chunk = _Chunk(path, baseline, tally)
            if chunk.records:
                yield chunk.table()


class _Chunk:
    """The requests of consecutive records; only their payloads are kept, CSV ones as one text
    (with where each record's starts, to find a bad one when the text does not parse)."""

    def __init__(self, path, baseline: Baseline, tally: RecordTally | None):
        self.path = path
        self.baseline = baseline
        self.tally = tally
        self.csv = io.BytesIO()
        self.csv_records: list[tuple[int, int]] = []  # (line number, offset in self.csv)
        self.json_rows: list = []
        self.bad: list[tuple[int, CaptureFormatError]] = []  # told to the tally in line order
        self.records = 0
        self.size = 0

    @property
    def full(self) -> bool:
        return self.records >= RECORDS_PER_CHUNK or self.size >= CHUNK_BYTES

    def add(self, number: int, line: bytes) -> None:
        self.records += 1
        if self.tally is not None:
            self.tally.records += 1
        try:
            kind, payload = _request_payload(self.path, number, line)
            if kind == "json":
                self.json_rows.extend(_json_rows(self.path, number, payload, self.baseline))
        except CaptureFormatError as error:
            self._skip(number, error)
            return
        if kind == "csv":
            self.csv_records.append((number, self.csv.tell()))
            self.csv.write(payload.rstrip(b"\r\n"))
            self.csv.write(b"\n")
        self.size += len(payload)

    def _skip(self, number: int, error: CaptureFormatError) -> None:
        if self.tally is None:
            raise error
        self.bad.append((number, error))

    def table(self) -> pa.Table:
        csv = self._csv_table() if self.csv.tell() else None
        # CSV records are found bad only now, after the others: sorted, the first is the first
        for _, error in sorted(self.bad, key=lambda bad: bad[0]):
            self.tally.skip(error)
        tables = [] if csv is None else [csv]
        if self.json_rows:
            tables.append(_json_table(self.json_rows, self.baseline))
        if not tables:
            types = column_types(self.baseline)
            return pa.table({name: pa.array([], type) for name, type in types.items()})
        return pa.concat_tables(tables) if len(tables) > 1 else tables[0]

    def _csv_table(self) -> pa.Table | None:
        """The chunk's CSV requests; None when every one of them was bad."""
        text = self.csv.getbuffer()
        try:
            return _csv_table(text, self.baseline)
        except pa.ArrowInvalid:
            pass
        # Rare: some record is bad. Parse each alone, then the good ones together.
        good = io.BytesIO()
        ends = [offset for _, offset in self.csv_records[1:]] + [len(text)]
        for (number, start), end in zip(self.csv_records, ends, strict=True):
            try:
                _csv_table(text[start:end], self.baseline)
            except pa.ArrowInvalid as error:
                self._skip(number, _csv_error(self.path, number, self.baseline, error))
                continue
            good.write(text[start:end])
        return _csv_table(good.getbuffer(), self.baseline) if good.tell() else None


def _request_payload(path, number: int, line: bytes) -> tuple[str, bytes]:
    """("csv" | "json" | "none", body) of one capture record's endpointInput."""
    try:
        record = json.loads(line)
        endpoint_input = record["captureData"].get("endpointInput")
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, AttributeError) as error:
        raise CaptureFormatError(
            f"{path}:{number} is not a data capture record "
            f"(expected JSON with captureData): {error}",
            reasons.NOT_A_CAPTURE_RECORD,
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
                f"{path}:{number} data is not valid base64: {error}", reasons.INVALID_BASE64
            ) from error
        return _kind_of(path, number, content_type), body
    raise CaptureFormatError(
        f"{path}:{number} encoding {encoding!r} is invalid: expected CSV, JSON or BASE64",
        reasons.UNSUPPORTED_ENCODING,
    )


def _kind_of(path, number: int, content_type: str) -> str:
    media_type = content_type.split(";")[0].strip().lower()
    if media_type.endswith("csv"):
        return "csv"
    if media_type.endswith("json") or media_type.endswith("jsonlines"):
        return "json"
    raise CaptureFormatError(
        f"{path}:{number} observedContentType {content_type!r} is not supported: "
        "expected a CSV or JSON content type",
        reasons.UNSUPPORTED_ENCODING,
    )


def _csv_table(text: memoryview, baseline: Baseline) -> pa.Table:
    return pacsv.read_csv(
        pa.BufferReader(pa.py_buffer(text)),
        read_options=pacsv.ReadOptions(column_names=list(baseline.features)),
        convert_options=csv_convert_options(baseline),
    )


def _csv_error(path, number: int, baseline: Baseline, error: pa.ArrowInvalid) -> CaptureFormatError:
    message = str(error)
    if "conversion error" in message:
        reason = reasons.NOT_A_NUMBER
    elif "Expected" in message and "columns" in message:
        reason = reasons.WRONG_VALUE_COUNT
    else:
        reason = reasons.UNREADABLE_CSV
    return CaptureFormatError(
        f"{path}:{number} CSV request does not match the baseline's {len(baseline.features)} "
        f"features {list(baseline.features)}: {message}",
        reason,
    )


def _json_rows(path, number: int, payload: bytes, baseline: Baseline) -> list:
    """The record's request rows, each checked and as one value per feature, in order."""
    try:
        rows = _rows(path, number, json.loads(payload))
    except (json.JSONDecodeError, UnicodeDecodeError):
        # application/jsonlines: one instance per line
        try:
            rows = [
                row
                for text in payload.splitlines()
                if text.strip()
                for row in _rows(path, number, json.loads(text))
            ]
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise CaptureFormatError(
                f"{path}:{number} JSON request is not valid JSON: {error}", reasons.INVALID_JSON
            ) from error
    return [_row_values(path, number, row, baseline) for row in rows]


def _rows(path, number: int, document) -> list:
    if isinstance(document, dict):
        if isinstance(document.get("instances"), list):
            return [row for item in document["instances"] for row in _rows(path, number, item)]
        if isinstance(document.get("features"), list):
            return [document["features"]]
        return [document]
    if isinstance(document, list):
        if document and all(isinstance(item, dict | list) for item in document):
            return [row for item in document for row in _rows(path, number, item)]
        return [document]
    raise CaptureFormatError(
        f"{path}:{number} JSON request {document!r} is not an object or a list of values",
        reasons.INVALID_JSON,
    )


def _row_values(path, number: int, row, baseline: Baseline) -> list:
    features = baseline.features
    if isinstance(row, dict):
        values = [row.get(name) for name in features]
    elif len(row) == len(features):
        values = list(row)
    else:
        raise CaptureFormatError(
            f"{path}:{number} JSON request {row!r} has {len(row)} values, "
            f"the baseline's features are {len(features)}: {list(features)}",
            reasons.WRONG_VALUE_COUNT,
        )
    return [
        _value(path, number, name, value, name in baseline.categorical)
        for name, value in zip(features, values, strict=True)
    ]


def _value(path, number: int, name: str, value, categorical: bool):
    if value is None:
        return None
    if categorical:
        return str(value)
    try:
        return float(value)
    except (TypeError, ValueError) as error:
        raise CaptureFormatError(
            f"{path}:{number} numeric feature '{name}' holds a value that is not a number: {error}",
            reasons.NOT_A_NUMBER,
        ) from error


def _json_table(rows: list, baseline: Baseline) -> pa.Table:
    """Rows already checked by :func:`_row_values`."""
    types = column_types(baseline)
    columns = zip(*rows, strict=True)
    return pa.table(
        {
            name: pa.array(values, types[name])
            for name, values in zip(baseline.features, columns, strict=True)
        }
    )
