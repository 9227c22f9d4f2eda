"""Request and response payloads as the framework containers' default handlers read and write
them (sagemaker-containers ``_encoders``: CSV, JSON and NPY to and from numpy arrays)."""

from __future__ import annotations

import csv
import io
import json

import numpy as np

CSV = "text/csv"
JSON = "application/json"
NPY = "application/x-npy"
# sagemaker-containers decodes these bodies to text before input_fn sees them
TEXT_TYPES = (CSV, JSON)


class UnsupportedFormatError(Exception):
    """A content type the default handlers cannot read or write (415 on input, 406 on output)."""

    def __init__(self, content_type: str):
        self.content_type = content_type
        # sagemaker-containers' own wording, its doubled "to to" included
        super().__init__(
            f"Content type {content_type} is not supported by this framework.\n"
            "    Please implement input_fn to to deserialize the request data or an output_fn "
            "to\n    serialize the response. For more information, see the SageMaker Python SDK "
            "README."
        )


def media_type(content_type: str | None) -> str:
    """``text/csv; charset=utf-8`` -> ``text/csv`` (lower case, parameters dropped)."""
    return (content_type or "").split(";")[0].strip().lower()


def decode(data: str | bytes, content_type: str) -> np.ndarray:
    kind = media_type(content_type)
    if kind == JSON:
        return np.array(json.loads(data))
    if kind == CSV:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        rows = list(csv.reader(io.StringIO(text), delimiter=",", quotechar='"', strict=True))
        return np.array(rows).squeeze()
    if kind == NPY:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        return np.load(io.BytesIO(raw), allow_pickle=True)
    raise UnsupportedFormatError(content_type)


def encode(prediction, accept: str) -> bytes:
    kind = media_type(accept)
    if kind == JSON:
        return json.dumps(prediction, default=_to_list).encode("utf-8")
    if kind == CSV:
        return _csv(prediction).encode("utf-8")
    if kind == NPY:
        buffer = io.BytesIO()
        np.save(buffer, prediction)
        return buffer.getvalue()
    raise UnsupportedFormatError(accept)


def _to_list(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _csv(prediction) -> str:
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n", delimiter=",", quotechar='"')
    rows = prediction.tolist() if hasattr(prediction, "tolist") else prediction
    if not isinstance(rows, list):
        rows = [rows]
    for row in rows:  # a 1-D prediction is one value per line, as the container writes it
        writer.writerow(row if isinstance(row, list | tuple) else [row])
    return stream.getvalue()
