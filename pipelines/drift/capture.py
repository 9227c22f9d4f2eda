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

Files are read in blocks of whole lines. A block of CSV records goes through Arrow's JSON and CSV
readers in one piece (C++, no Python per record), several blocks at once on the reading threads
(small blocks stay in the cores' caches from one reader to the next); any other block, or one where
either reader refuses something or a number is infinite, is read record by record
(:mod:`.capture_records`), which skips each malformed record and counts it per reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from sagestack_pipelines.drift.baseline import Baseline
from sagestack_pipelines.drift.capture_records import (
    CaptureFormatError,
    checked_csv_table,
    record_tables,
)
from sagestack_pipelines.drift.records import RecordTally
from sagestack_pipelines.drift.threads import ordered

__all__ = ["BLOCK_BYTES", "CaptureFormatError", "read_capture"]

BLOCK_BYTES = 2 << 20  # peak memory grows about 20 times a block (Arrow's parsers' buffers)
_INPUT = pa.struct(
    [
        pa.field("observedContentType", pa.string()),
        pa.field("data", pa.string()),
        pa.field("encoding", pa.string()),
    ]
)
_ENVELOPE = pa.schema([pa.field("captureData", pa.struct([pa.field("endpointInput", _INPUT)]))])
_PARSE = pajson.ParseOptions(explicit_schema=_ENVELOPE, unexpected_field_behavior="ignore")
# Blocks are parsed several at once on the reading threads: Arrow's own threads would only add
# handovers.
_ONE_THREAD = pajson.ReadOptions(use_threads=False)
# A block holds about ten thousand CSV rows; the window counts tables of at least this many, on
# all cores, and pays its per-table costs once for several blocks.
JOINED_ROWS = 1 << 16
# "" and "\n" as Arrow scalars, made from buffers: pa.scalar() imports pandas (see arrow_values).
_EMPTY, _LINE_END = pa.Array.from_buffers(
    pa.string(), 2, [None, pa.py_buffer(np.array([0, 0, 1], dtype=np.int32)), pa.py_buffer(b"\n")]
)


def read_capture(
    paths: Iterable[str | Path], baseline: Baseline, tally: RecordTally | None = None
) -> Iterator[pa.Table]:
    """The requests of every capture file in ``paths``, in chunks of bounded size.

    Malformed records are skipped and counted in ``tally``; without one, the first raises.
    """
    return _joined(_block_tables(paths, baseline, tally), JOINED_ROWS)


def _block_tables(
    paths: Iterable[str | Path], baseline: Baseline, tally: RecordTally | None
) -> Iterator[pa.Table]:
    for path in paths:
        lines = _LineNumbers(path)
        for offset, block, fast in _parsed_blocks(path, baseline):
            if fast is None:
                first_line = lines.at(offset, block)
                yield from record_tables(path, first_line, block, baseline, tally)
                continue
            lines.passed(offset, block)
            table, records = fast
            if tally is not None:
                tally.records += records
            yield table


def _joined(tables: Iterable[pa.Table], rows: int) -> Iterator[pa.Table]:
    """Consecutive ``tables`` (one schema: the baseline's features) joined into tables of at
    least ``rows`` rows, the last one excepted. Joining copies nothing."""
    waiting: list[pa.Table] = []
    count = 0
    for table in tables:
        waiting.append(table)
        count += table.num_rows
        if count >= rows:
            yield pa.concat_tables(waiting)
            waiting, count = [], 0
    if waiting:
        yield pa.concat_tables(waiting)


def _parsed_blocks(path, baseline: Baseline) -> Iterator[tuple[int, bytes, tuple | None]]:
    """(offset, block, the block through Arrow's readers or None), in the file's order, the
    next blocks parsed on the other cores meanwhile."""
    return ordered(
        lambda offset=offset, block=block: (offset, block, _csv_block(block, baseline))
        for offset, block in _blocks(path)
    )


def _blocks(path) -> Iterator[tuple[int, bytes]]:
    """(the block's offset in the file, the block): whole lines, about BLOCK_BYTES each."""
    offset = 0
    pending: list = []  # the start of a line longer than a block, read so far
    with open(path, "rb") as file:
        while read := file.read(BLOCK_BYTES):
            end = read.rfind(b"\n") + 1
            if end == 0:
                pending.append(read)
                continue
            # one copy of the block: the join's (a memoryview's slice copies nothing)
            block = b"".join([*pending, memoryview(read)[:end]])
            pending = [read[end:]]
            yield offset, block
            offset += len(block)
    rest = b"".join(pending)
    if rest.strip():
        yield offset, rest


class _LineNumbers:
    """The number of a block's first line, counted only for a block with a bad record: the fast
    path reads a file's lines without counting them, and a block that needs them counts the
    file's lines up to it again. A pipe cannot be read again: its lines are counted as they go."""

    def __init__(self, path):
        self.path = path
        self.rereadable = Path(path).is_file()
        self.offset, self.line = 0, 1

    def passed(self, offset: int, block: bytes) -> None:
        """A block went by without needing its lines numbered."""
        if not self.rereadable:
            self.at(offset, block)

    def at(self, offset: int, block: bytes) -> int:
        if not self.rereadable:
            line = self.line
            self.line += block.count(b"\n")
            return line
        with open(self.path, "rb") as file:
            file.seek(self.offset)
            while self.offset < offset:
                data = file.read(min(BLOCK_BYTES, offset - self.offset))
                self.line += data.count(b"\n")
                self.offset += len(data)
        return self.line


def _csv_block(block: bytes, baseline: Baseline) -> tuple[pa.Table, int] | None:
    """(requests, records) of a block of well-formed CSV capture records; None for any other."""
    try:
        envelopes = pajson.read_json(pa.BufferReader(block), _ONE_THREAD, _PARSE)
    except pa.ArrowInvalid:
        return None
    capture = envelopes.column("captureData")
    if capture.null_count:  # a line that is JSON but not a capture record
        return None
    request = pc.struct_field(capture, "endpointInput")
    if not set(pc.unique(pc.struct_field(request, "encoding").drop_null()).to_pylist()) <= {"CSV"}:
        return None
    data = pc.struct_field(request, "data").drop_null()
    try:
        table = checked_csv_table(_lines(data), baseline)
    except pa.ArrowInvalid:
        return None
    return table, envelopes.num_rows


def _lines(payloads: pa.ChunkedArray) -> pa.Buffer:
    """The payloads as one text, each followed by a line end (an empty payload adds an empty
    line, which the CSV reader skips)."""
    joined = pc.binary_join_element_wise(payloads, _EMPTY, _LINE_END).combine_chunks()
    if len(joined) == 0:
        return pa.py_buffer(b"")
    offsets = joined.buffers()[1]
    start, end = (int.from_bytes(offsets[4 * i : 4 * i + 4], "little") for i in (0, len(joined)))
    return joined.buffers()[2][start:end]
