"""Capture records read one at a time: every encoding, and every way a record can be bad.

:mod:`.capture` hands a block of lines here when the block is not all well-formed CSV records,
so that each bad record is skipped and counted in a
:class:`~sagestack_pipelines.drift.records.RecordTally` under its own reason, with its line
number; without a tally the first one raises.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from sagestack_pipelines.drift import records as reasons
from sagestack_pipelines.drift.arrow_values import float_values
from sagestack_pipelines.drift.baseline import Baseline
from sagestack_pipelines.drift.records import MalformedRecordError, RecordTally
from sagestack_pipelines.drift.tables import column_types, csv_convert_options
from sagestack_pipelines.drift.training import FALSE, TRUE

RECORDS_PER_CHUNK = 10_000
_CSV_COLUMN = re.compile(r"In CSV column #(\d+)")


class CaptureFormatError(MalformedRecordError):
    """A capture record that is not in SageMaker's data capture format."""


def record_tables(
    path, first_line: int, block: bytes, baseline: Baseline, tally: RecordTally | None
) -> Iterator[pa.Table]:
    """The requests of a block of capture lines, record by record, in chunks of bounded size."""
    chunk = _Chunk(path, baseline, tally)
    for number, line in enumerate(block.split(b"\n"), start=first_line):
        if not line.strip():
            continue
        chunk.add(number, line)
        if chunk.records >= RECORDS_PER_CHUNK:
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

    def add(self, number: int, line: bytes) -> None:
        self.records += 1
        if self.tally is not None:
            self.tally.records += 1
        try:
            kind, payload = _request_payload(self.path, number, line)
            if kind == "json":
                self.json_rows.extend(self._json_rows(number, payload))
        except CaptureFormatError as error:
            self._skip(number, error)
            return
        if kind == "csv":
            self.csv_records.append((number, self.csv.tell()))
            self.csv.write(payload.rstrip(b"\r\n"))
            self.csv.write(b"\n")

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
            return empty_table(self.baseline)
        return pa.concat_tables(tables) if len(tables) > 1 else tables[0]

    def _csv_table(self) -> pa.Table | None:
        """The chunk's CSV requests; None when every one of them was bad."""
        text = self.csv.getbuffer()
        try:
            return checked_csv_table(text, self.baseline)
        except pa.ArrowInvalid:
            pass
        # Rare: some record is bad. Parse each alone, then the good ones together.
        good = io.BytesIO()
        ends = [offset for _, offset in self.csv_records[1:]] + [len(text)]
        for (number, start), end in zip(self.csv_records, ends, strict=True):
            try:
                checked_csv_table(text[start:end], self.baseline)
            except pa.ArrowInvalid as error:
                self._skip(number, _csv_error(self.path, number, self.baseline, error))
                continue
            good.write(text[start:end])
        return checked_csv_table(good.getbuffer(), self.baseline) if good.tell() else None

    def _json_rows(self, number: int, payload: bytes) -> list:
        """The record's request rows, each checked and as one value per feature, in order."""
        rows = _json_documents(self.path, number, payload)
        if self.tally is not None:
            for row in rows:
                if isinstance(row, dict):
                    self.tally.extra_columns.update(set(row) - set(self.baseline.features))
        return [self._row_values(number, row) for row in rows]

    def _row_values(self, number: int, row) -> list:
        features = self.baseline.features
        if isinstance(row, dict):
            values = [row.get(name) for name in features]
        elif len(row) == len(features):
            values = list(row)
        else:
            raise CaptureFormatError(
                f"{self.path}:{number} JSON request {row!r} has {len(row)} values, "
                f"the baseline's features are {len(features)}: {list(features)}",
                reasons.WRONG_VALUE_COUNT,
            )
        return [
            self._value(number, name, value, name in self.baseline.categorical)
            for name, value in zip(features, values, strict=True)
        ]

    def _value(self, number: int, name: str, value, categorical: bool):
        if value is None:
            return None
        if isinstance(value, bool):  # JSON's true / false
            if categorical:
                return TRUE if value else FALSE
            return float(value)
        if categorical:
            return str(value)
        try:
            number_value = float(value)
        except (TypeError, ValueError) as error:
            raise CaptureFormatError(
                f"{self.path}:{number} numeric feature '{name}' holds a value that is not a "
                f"number: {error}",
                reasons.NOT_A_NUMBER,
                feature=name,
            ) from error
        if np.isinf(number_value):
            raise CaptureFormatError(
                f"{self.path}:{number} numeric feature '{name}' is infinite ({value!r})",
                reasons.INFINITE,
                feature=name,
            )
        return number_value


def _request_payload(path, number: int, line: bytes) -> tuple[str, bytes]:
    """("csv" | "json" | "none", body) of one capture record's endpointInput."""
    try:
        record = json.loads(line)
        endpoint_input = record["captureData"].get("endpointInput")
    except UnicodeDecodeError as error:
        raise CaptureFormatError(
            f"{path}:{number} is not valid UTF-8: {error}", reasons.INVALID_UTF8
        ) from error
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
        raise CaptureFormatError(
            f"{path}:{number} is not a data capture record "
            f"(expected JSON with captureData): {error}",
            reasons.NOT_A_CAPTURE_RECORD,
        ) from error
    if endpoint_input is None:  # an Output-only capture holds no request
        return "none", b""
    encoding = endpoint_input.get("encoding")
    data = endpoint_input.get("data") or ""
    content_type = endpoint_input.get("observedContentType", "")
    if encoding in ("CSV", "JSON"):
        return encoding.lower(), data.encode("utf-8", "surrogatepass")
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


def checked_csv_table(text, baseline: Baseline) -> pa.Table:
    """CSV request rows as a table; ArrowInvalid when a row does not parse or a numeric
    feature is infinite (``inf``, ``Infinity``, ``1e309`` parse as numbers)."""
    if len(text) == 0:
        return empty_table(baseline)
    table = pacsv.read_csv(
        pa.BufferReader(pa.py_buffer(text)),
        read_options=pacsv.ReadOptions(column_names=list(baseline.features), use_threads=False),
        convert_options=csv_convert_options(baseline),
    )
    for index, name in enumerate(baseline.features):
        if name in baseline.numeric and np.isinf(float_values(table[name])).any():
            raise pa.ArrowInvalid(f"In CSV column #{index}: infinite value")
    return table


def empty_table(baseline: Baseline) -> pa.Table:
    return pa.schema(list(column_types(baseline).items())).empty_table()


def _csv_error(path, number: int, baseline: Baseline, error: pa.ArrowInvalid) -> CaptureFormatError:
    message = str(error)
    column = _CSV_COLUMN.search(message)
    feature = baseline.features[int(column.group(1))] if column else ""
    if "infinite value" in message:
        reason = reasons.INFINITE
    elif "invalid UTF8" in message:
        reason = reasons.INVALID_UTF8
    elif "conversion error" in message:
        reason = reasons.NOT_A_NUMBER
    elif "Expected" in message and "columns" in message:
        reason = reasons.WRONG_VALUE_COUNT
    else:
        reason = reasons.UNREADABLE_CSV
    if reason == reasons.INFINITE:
        text = f"{path}:{number} numeric feature '{feature}' is infinite"
    elif reason == reasons.INVALID_UTF8:
        text = f"{path}:{number} CSV request is not valid UTF-8: {message}"
    else:
        text = (
            f"{path}:{number} CSV request does not match the baseline's "
            f"{len(baseline.features)} features {list(baseline.features)}: {message}"
        )
    return CaptureFormatError(text, reason, feature=feature)


def _json_documents(path, number: int, payload: bytes) -> list:
    try:
        return _rows(path, number, json.loads(payload))
    except UnicodeDecodeError as error:
        raise CaptureFormatError(
            f"{path}:{number} JSON request is not valid UTF-8: {error}", reasons.INVALID_UTF8
        ) from error
    except json.JSONDecodeError:
        pass
    # application/jsonlines: one instance per line
    try:
        return [
            row
            for text in payload.splitlines()
            if text.strip()
            for row in _rows(path, number, json.loads(text))
        ]
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CaptureFormatError(
            f"{path}:{number} JSON request is not valid JSON: {error}", reasons.INVALID_JSON
        ) from error


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


def _json_table(rows: list, baseline: Baseline) -> pa.Table:
    """Rows already checked by ``_row_values``."""
    types = column_types(baseline)
    columns = zip(*rows, strict=True)
    return pa.table(
        {
            name: pa.array(values, types[name])
            for name, values in zip(baseline.features, columns, strict=True)
        }
    )
