"""Every input form gives the very same statistics: capture files in each encoding SageMaker
writes, plain CSV and Parquet; malformed input fails with an error naming what is wrong."""

from __future__ import annotations

import base64
import json
import os
import threading

import numpy as np
import pandas as pd
import pytest
from drift_frames import capture_record, requests

from sagestack_pipelines.drift import records as reasons
from sagestack_pipelines.drift.baseline import build_baseline
from sagestack_pipelines.drift.capture import BLOCK_BYTES, CaptureFormatError, read_capture
from sagestack_pipelines.drift.capture_records import record_tables
from sagestack_pipelines.drift.comparison import Thresholds
from sagestack_pipelines.drift.monitor import input_files, measure, read_inputs
from sagestack_pipelines.drift.records import RecordTally, TooManyBadRecordsError
from sagestack_pipelines.drift.tables import from_frame

FEATURES = ["age", "income", "visits", "colour"]
LOOSE = Thresholds(bad_record_share=0.5, min_requests=1)


@pytest.fixture
def training(rng) -> pd.DataFrame:
    return requests(rng, 3_000)


@pytest.fixture
def window(rng) -> pd.DataFrame:
    frame = requests(rng, 240, age_shift=3.0)
    frame.loc[frame.index[:5], "income"] = np.nan
    frame.loc[frame.index[5:8], "colour"] = None
    return frame


def _csv_rows(frame: pd.DataFrame) -> list[str]:
    return frame[FEATURES].to_csv(header=False, index=False).splitlines()


def _json_values(frame: pd.DataFrame) -> list[list]:
    rows = frame[FEATURES].astype(object).where(frame[FEATURES].notna(), None)
    return rows.to_numpy().tolist()


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _csv_one_row_per_record(frame):
    return [capture_record(row, "CSV", "text/csv") for row in _csv_rows(frame)]


def _csv_batches(frame):
    rows = _csv_rows(frame)
    return [
        capture_record("\n".join(rows[i : i + 50]), "CSV", "text/csv")
        for i in range(0, len(rows), 50)
    ]


def _json_instances(frame):
    return [
        capture_record(json.dumps({"instances": [row]}), "JSON", "application/json")
        for row in _json_values(frame)
    ]


def _json_objects(frame):
    return [
        capture_record(
            json.dumps(dict(zip(FEATURES, row, strict=True))), "JSON", "application/json"
        )
        for row in _json_values(frame)
    ]


def _base64_csv(frame):
    return [capture_record(_b64(row), "BASE64", "text/csv") for row in _csv_rows(frame)]


def _base64_json_batches(frame):
    values = _json_values(frame)
    return [
        capture_record(_b64(json.dumps(values[i : i + 40])), "BASE64", "application/json")
        for i in range(0, len(values), 40)
    ]


def _base64_jsonlines(frame):
    lines = "\n".join(json.dumps({"features": row}) for row in _json_values(frame))
    return [capture_record(_b64(lines), "BASE64", "application/jsonlines")]


ENCODINGS = [
    _csv_one_row_per_record,
    _csv_batches,
    _json_instances,
    _json_objects,
    _base64_csv,
    _base64_json_batches,
    _base64_jsonlines,
]


def _numbers(report) -> list[tuple]:
    return [
        (f.name, f.psi, f.test.statistic, f.test.p_value, f.current_count, f.current_missing_rate)
        for f in report.features
    ]


@pytest.mark.parametrize("encode", ENCODINGS, ids=lambda encode: encode.__name__.strip("_"))
def test_capture_files_give_the_statistics_of_the_requests_themselves(
    encode, training, window, tmp_path
):
    baseline = build_baseline(training, categorical=["colour"], features=FEATURES)
    path = tmp_path / "capture.jsonl"
    path.write_text("\n".join(encode(window)) + "\n")
    expected = measure(baseline, from_frame(window, baseline), Thresholds())
    assert _numbers(measure(baseline, read_capture([path], baseline), Thresholds())) == _numbers(
        expected
    )


def test_a_folder_of_capture_csv_and_parquet_files_reads_as_one_window(training, window, tmp_path):
    baseline = build_baseline(training, categorical=["colour"], features=FEATURES)
    hour = tmp_path / "endpoint" / "AllTraffic" / "2026" / "11" / "26" / "10"
    hour.mkdir(parents=True)
    (hour / "a.jsonl").write_text("\n".join(_csv_batches(window.iloc[:80])))
    window.iloc[80:160].to_csv(tmp_path / "b.csv", index=False)
    window.iloc[160:].to_parquet(tmp_path / "c.parquet", index=False)
    files = input_files(tmp_path)
    assert [path.suffix for path in files] == [".csv", ".parquet", ".jsonl"]
    report = measure(baseline, read_inputs(files, baseline), Thresholds())
    expected = measure(baseline, from_frame(window, baseline), Thresholds())
    assert _numbers(report) == _numbers(expected)


@pytest.mark.parametrize(
    "content_type",
    ["TEXT/CSV; charset=utf-8", "Text/Csv", "Application/JSON", "APPLICATION/JSONLINES"],
)
def test_observed_content_types_are_read_whatever_their_case(
    content_type, training, window, tmp_path
):
    # Media types are case-insensitive (RFC 9110 8.3.1); the capture keeps the client's spelling.
    baseline = build_baseline(training, categorical=["colour"], features=FEATURES)
    if "CSV" in content_type.upper():
        bodies = _csv_rows(window)
    else:
        bodies = [json.dumps({"instances": [row]}) for row in _json_values(window)]
    path = tmp_path / "capture.jsonl"
    path.write_text("\n".join(capture_record(_b64(b), "BASE64", content_type) for b in bodies))
    expected = measure(baseline, from_frame(window, baseline), Thresholds())
    report = measure(baseline, read_capture([path], baseline), Thresholds())
    assert _numbers(report) == _numbers(expected)


def test_an_output_only_capture_record_holds_no_request(training, tmp_path):
    baseline = build_baseline(training, categorical=["colour"], features=FEATURES)
    record = json.loads(capture_record("1,2,3,red", "CSV", "text/csv"))
    del record["captureData"]["endpointInput"]
    path = tmp_path / "out.jsonl"
    path.write_text(json.dumps(record) + "\n")
    assert sum(table.num_rows for table in read_capture([path], baseline)) == 0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"not": "capture"}', "is not a data capture record"),
        (capture_record("40,50,3,red", "XML", "text/csv"), "encoding 'XML' is invalid"),
        (capture_record("40,50,3,red", "ASCII", "text/csv"), "encoding 'ASCII' is invalid"),
        (capture_record("%%%", "BASE64", "text/csv"), "is not valid base64"),
        (capture_record(_b64("<a/>"), "BASE64", "application/xml"), "observedContentType"),
        (
            capture_record("40,50,red", "CSV", "text/csv"),
            "does not match the baseline's 4 features",
        ),
        (capture_record("[40, 50, 3]", "JSON", "application/json"), "has 3 values"),
        (capture_record('[40, 50, 3, "red", 9]', "JSON", "application/json"), "has 5 values"),
        (capture_record('{"age": "old"}', "JSON", "application/json"), "'age' holds a value"),
    ],
)
def test_malformed_capture_fails_naming_the_file_and_the_problem(line, message, training, tmp_path):
    baseline = build_baseline(training, categorical=["colour"], features=FEATURES)
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(CaptureFormatError, match=message) as caught:
        list(read_capture([path], baseline))
    assert f"{path}:1 " in str(caught.value)


BAD_RECORDS = {
    "not JSON": "{captureData: oops",
    "wrong column count": capture_record("40,50,red", "CSV", "text/csv"),
    "not a number": capture_record("old,50,3,red", "CSV", "text/csv"),
    "JSON not a number": capture_record('{"age": "old"}', "JSON", "application/json"),
    "JSON wrong length": capture_record("[40, 50, 3]", "JSON", "application/json"),
}


@pytest.mark.parametrize("encode", [_csv_one_row_per_record, _csv_batches, _json_objects])
def test_malformed_records_are_skipped_and_counted_per_reason(encode, training, window, tmp_path):
    baseline = build_baseline(training, categorical=["colour"], features=FEATURES)
    good = encode(window)
    path = tmp_path / "capture.jsonl"
    lines = good[:2] + list(BAD_RECORDS.values()) + good[2:]
    path.write_text("\n".join(lines) + "\n")
    tally = RecordTally()
    loose = Thresholds(bad_record_share=0.5)
    report = measure(baseline, read_capture([path], baseline, tally), loose, tally)
    expected = measure(baseline, from_frame(window, baseline), Thresholds())
    assert _numbers(report) == _numbers(expected)
    assert report.records.records == len(lines) and report.records.skipped == 5
    assert dict(report.records.by_reason) == {
        reasons.NOT_A_CAPTURE_RECORD: 1,
        reasons.WRONG_VALUE_COUNT: 2,
        reasons.NOT_A_NUMBER: 2,
    }
    assert report.records.first_bad.startswith(f"{path}:3 is not a data capture record")


def test_bad_records_above_the_allowed_share_fail_naming_the_first(training, window, tmp_path):
    baseline = build_baseline(training, categorical=["colour"], features=FEATURES)
    good = _csv_one_row_per_record(window.iloc[:197])
    bad = [BAD_RECORDS["wrong column count"], BAD_RECORDS["not a number"]]
    path = tmp_path / "capture.jsonl"
    path.write_text("\n".join(good[:99] + bad[:1] + good[99:] + bad[1:]) + "\n")
    tally = RecordTally()
    with pytest.raises(TooManyBadRecordsError) as caught:  # 2 of 199 is above the default 1%
        measure(baseline, read_capture([path], baseline, tally), Thresholds(), tally)
    message = str(caught.value)
    assert message.startswith("2 of 199 capture records (1.01%) are malformed")
    assert f"the first: {path}:100 CSV request does not match" in message
    assert "Expected 4 columns, got 3" in message


def test_bad_records_up_to_the_allowed_share_pass(training, window, tmp_path):
    baseline = build_baseline(training, categorical=["colour"], features=FEATURES)
    good = _csv_one_row_per_record(window.iloc[:99])  # 1 bad of 100 records: exactly 1%
    path = tmp_path / "capture.jsonl"
    path.write_text("\n".join([*good, BAD_RECORDS["not JSON"]]) + "\n")
    tally = RecordTally()
    report = measure(baseline, read_capture([path], baseline, tally), Thresholds(), tally)
    assert report.rows == 99 and report.records.skipped == 1


def test_a_window_of_only_bad_records_fails_instead_of_passing_as_empty(training, tmp_path):
    baseline = build_baseline(training, categorical=["colour"], features=FEATURES)
    path = tmp_path / "capture.jsonl"
    path.write_text("\n".join(BAD_RECORDS.values()) + "\n")
    tally = RecordTally()
    with pytest.raises(TooManyBadRecordsError, match="5 of 5 capture records"):
        measure(baseline, read_capture([path], baseline, tally), Thresholds(), tally)


def test_an_empty_csv_request_beside_a_bad_one_is_not_counted_bad(training, window, tmp_path):
    baseline = build_baseline(training, categorical=["colour"], features=FEATURES)
    lines = [
        *_csv_one_row_per_record(window),
        capture_record("", "CSV", "text/csv"),
        BAD_RECORDS["wrong column count"],
    ]
    path = tmp_path / "capture.jsonl"
    path.write_text("\n".join(lines) + "\n")
    tally = RecordTally()
    report = measure(baseline, read_capture([path], baseline, tally), Thresholds(), tally)
    assert report.rows == len(window)
    assert dict(tally.by_reason) == {reasons.WRONG_VALUE_COUNT: 1}


def test_the_first_bad_record_named_is_the_first_in_the_file(training, window, tmp_path):
    """A bad CSV body shows only when its chunk is parsed, after records bad on their own."""
    baseline = build_baseline(training, categorical=["colour"], features=FEATURES)
    good = _csv_one_row_per_record(window)
    lines = [*good[:5], BAD_RECORDS["not a number"], BAD_RECORDS["not JSON"], *good[5:]]
    path = tmp_path / "capture.jsonl"
    path.write_text("\n".join(lines) + "\n")
    tally = RecordTally()
    measure(
        baseline, read_capture([path], baseline, tally), Thresholds(bad_record_share=0.5), tally
    )
    assert tally.first_bad.startswith(f"{path}:6 CSV request does not match")


def test_a_capture_line_longer_than_a_block_and_one_from_a_pipe_read_whole(training, tmp_path):
    """A batch request of a few megabytes spans blocks; a named pipe streams the same lines."""
    baseline = build_baseline(training, categorical=["colour"], features=FEATURES)
    rows = _csv_rows(requests(np.random.default_rng(1), 90_000))
    batch = capture_record("\n".join(rows[:60_000]), "CSV", "text/csv")
    single = [capture_record(row, "CSV", "text/csv") for row in rows[60_000:]]
    lines = [batch, BAD_RECORDS["not JSON"], *single]  # single rows cross the next block's end
    assert len(batch) > BLOCK_BYTES
    path = tmp_path / "capture.jsonl"
    path.write_text("\n".join(lines) + "\n")
    tally = RecordTally()
    report = measure(baseline, read_capture([path], baseline, tally), LOOSE, tally)
    assert report.rows == 90_000 and tally.records == 30_002
    assert tally.first_bad.startswith(f"{path}:2 ")
    pipe = tmp_path / "pipe.jsonl"
    os.mkfifo(pipe)
    writer = threading.Thread(target=lambda: pipe.write_bytes(path.read_bytes()))
    writer.start()
    piped = RecordTally()
    report = measure(baseline, read_inputs(input_files(pipe), baseline, piped), LOOSE, piped)
    writer.join()
    assert report.rows == 90_000 and piped.first_bad.startswith(f"{pipe}:2 ")


def test_blocks_parsed_on_several_threads_read_as_one_thread_reads_them(
    training, monkeypatch, tmp_path
):
    """Many small blocks, some with bad records, parsed ahead on the reading threads: the same
    tables in the same order, the same bad records with the same line numbers."""
    from sagestack_pipelines.drift import capture

    baseline = build_baseline(training, categorical=["colour"], features=FEATURES)
    good = _csv_batches(requests(np.random.default_rng(2), 4_000, age_shift=1.0))
    lines = [*good[:30], *BAD_RECORDS.values(), *good[30:70], BAD_RECORDS["not JSON"], *good[70:]]
    path = tmp_path / "capture.jsonl"
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(capture, "BLOCK_BYTES", 4096)

    def read(joined_rows):
        monkeypatch.setattr(capture, "JOINED_ROWS", joined_rows)
        tally = RecordTally()
        tables = list(read_capture([path], baseline, tally))
        return [table.to_pydict() for table in tables], tally

    threaded, threaded_tally = read(joined_rows=1)
    joined, joined_tally = read(joined_rows=500)
    monkeypatch.setattr(capture, "ordered", lambda calls: (call() for call in calls))
    serial, serial_tally = read(joined_rows=1)
    assert len(serial) > 20  # many blocks, so several were parsed at once
    assert threaded == serial and threaded_tally == serial_tally
    assert serial_tally.skipped == 6 and serial_tally.first_bad.startswith(f"{path}:31 ")
    # joined into tables of at least 500 rows (but the last), the same rows in the same order
    assert all(len(table["age"]) >= 500 for table in joined[:-1]) and len(joined) < len(serial)
    assert {name: sum((t[name] for t in joined), []) for name in FEATURES} == {
        name: sum((t[name] for t in serial), []) for name in FEATURES
    }
    assert joined_tally == serial_tally


def test_records_read_one_by_one_come_in_tables_of_at_most_ten_thousand(training):
    """The record-by-record path keeps its memory bounded however long a block of records is."""
    baseline = build_baseline(training, categorical=["colour"], features=FEATURES)
    line = capture_record("40,50,3,red", "CSV", "text/csv").encode()
    block = b"\n".join([line] * 10_001)
    tables = record_tables("capture.jsonl", 1, block, baseline, RecordTally())
    assert [table.num_rows for table in tables] == [10_000, 1]


def test_a_block_mixing_csv_json_and_blank_lines_reads_every_record_in_one_table(training):
    baseline = build_baseline(training, categorical=["colour"], features=FEATURES)
    csv = capture_record("40,50,3,red", "CSV", "text/csv").encode()
    json_list = capture_record('[41, 51, 4, "blue"]', "JSON", "application/json").encode()
    block = b"\n".join([csv, b"", json_list, csv])
    tables = record_tables("capture.jsonl", 1, block, baseline, RecordTally())
    assert [table.num_rows for table in tables] == [3]


def test_json_requests_name_the_fields_the_baseline_lacks(training):
    baseline = build_baseline(training, categorical=["colour"], features=FEATURES)
    request = '{"age": 40, "income": 50, "plan": "gold"}'  # visits and colour missing
    line = capture_record(request, "JSON", "application/json").encode()
    tally = RecordTally()
    list(record_tables("capture.jsonl", 1, line, baseline, tally))
    assert tally.extra_columns == {"plan"}


def test_a_json_list_request_of_a_model_with_hundreds_of_features_is_read(rng):
    names = [f"f{i}" for i in range(300)]
    baseline = build_baseline(pd.DataFrame(rng.normal(size=(50, 300)), columns=names))
    line = capture_record(json.dumps(list(range(300))), "JSON", "application/json").encode()
    (table,) = record_tables("capture.jsonl", 1, line, baseline, RecordTally())
    assert table.num_rows == 1 and table.column("f299").to_pylist() == [299.0]
