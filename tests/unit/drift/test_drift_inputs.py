"""Every input form gives the very same statistics: capture files in each encoding SageMaker
writes, plain CSV and Parquet; malformed input fails with an error naming what is wrong."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest
from drift_frames import requests

from pipelines.drift.baseline import build_baseline
from pipelines.drift.capture import CaptureFormatError, read_capture
from pipelines.drift.comparison import Thresholds
from pipelines.drift.monitor import input_files, measure, read_inputs
from pipelines.drift.tables import from_frame

FEATURES = ["age", "income", "visits", "colour"]


@pytest.fixture
def training(rng) -> pd.DataFrame:
    return requests(rng, 3_000)


@pytest.fixture
def window(rng) -> pd.DataFrame:
    frame = requests(rng, 240, age_shift=3.0)
    frame.loc[frame.index[:5], "income"] = np.nan
    frame.loc[frame.index[5:8], "colour"] = None
    return frame


def _record(data: str, encoding: str, content_type: str) -> str:
    return json.dumps(
        {
            "captureData": {
                "endpointInput": {
                    "observedContentType": content_type,
                    "mode": "INPUT",
                    "data": data,
                    "encoding": encoding,
                },
                "endpointOutput": {
                    "observedContentType": "text/csv; charset=utf-8",
                    "mode": "OUTPUT",
                    "data": "0.5",
                    "encoding": "CSV",
                },
            },
            "eventMetadata": {"eventId": "e1", "inferenceTime": "2026-11-26T10:00:00Z"},
            "eventVersion": "0",
        }
    )


def _csv_rows(frame: pd.DataFrame) -> list[str]:
    return frame[FEATURES].to_csv(header=False, index=False).splitlines()


def _json_values(frame: pd.DataFrame) -> list[list]:
    rows = frame[FEATURES].astype(object).where(frame[FEATURES].notna(), None)
    return rows.to_numpy().tolist()


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _csv_one_row_per_record(frame):
    return [_record(row, "CSV", "text/csv") for row in _csv_rows(frame)]


def _csv_batches(frame):
    rows = _csv_rows(frame)
    return [
        _record("\n".join(rows[i : i + 50]), "CSV", "text/csv") for i in range(0, len(rows), 50)
    ]


def _json_instances(frame):
    return [
        _record(json.dumps({"instances": [row]}), "JSON", "application/json")
        for row in _json_values(frame)
    ]


def _json_objects(frame):
    return [
        _record(json.dumps(dict(zip(FEATURES, row, strict=True))), "JSON", "application/json")
        for row in _json_values(frame)
    ]


def _base64_csv(frame):
    return [_record(_b64(row), "BASE64", "text/csv") for row in _csv_rows(frame)]


def _base64_json_batches(frame):
    values = _json_values(frame)
    return [
        _record(_b64(json.dumps(values[i : i + 40])), "BASE64", "application/json")
        for i in range(0, len(values), 40)
    ]


def _base64_jsonlines(frame):
    lines = "\n".join(json.dumps({"features": row}) for row in _json_values(frame))
    return [_record(_b64(lines), "BASE64", "application/jsonlines")]


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


def test_an_output_only_capture_record_holds_no_request(training, tmp_path):
    baseline = build_baseline(training, categorical=["colour"], features=FEATURES)
    record = json.loads(_record("1,2,3,red", "CSV", "text/csv"))
    del record["captureData"]["endpointInput"]
    path = tmp_path / "out.jsonl"
    path.write_text(json.dumps(record) + "\n")
    assert sum(table.num_rows for table in read_capture([path], baseline)) == 0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"not": "capture"}', "is not a data capture record"),
        (_record("40,50,3,red", "XML", "text/csv"), "encoding 'XML' is invalid"),
        (_record("%%%", "BASE64", "text/csv"), "is not valid base64"),
        (_record(_b64("<a/>"), "BASE64", "application/xml"), "observedContentType"),
        (_record("40,50,red", "CSV", "text/csv"), "do not match the baseline's 4 features"),
        (_record("[40, 50, 3]", "JSON", "application/json"), "has 3 values"),
        (_record('{"age": "old"}', "JSON", "application/json"), "'age' holds a value"),
    ],
)
def test_malformed_capture_fails_naming_the_file_and_the_problem(line, message, training, tmp_path):
    baseline = build_baseline(training, categorical=["colour"], features=FEATURES)
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(CaptureFormatError, match=message) as caught:
        list(read_capture([path], baseline))
    assert str(path) in str(caught.value)
