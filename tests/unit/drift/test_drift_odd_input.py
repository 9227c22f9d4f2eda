"""Odd input gets the right answer: booleans however they are spelled, infinite numbers as bad
records of their own kind (and a wrong data type for their feature), invalid UTF-8 as itself."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from drift_frames import capture_record, requests

from sagestack_pipelines.drift import records as reasons
from sagestack_pipelines.drift.baseline import build_baseline
from sagestack_pipelines.drift.capture import read_capture
from sagestack_pipelines.drift.comparison import Thresholds
from sagestack_pipelines.drift.monitor import measure, read_inputs
from sagestack_pipelines.drift.records import RecordTally
from sagestack_pipelines.drift.tables import from_frame

FEATURES = ["age", "income", "visits", "colour"]
LOOSE = Thresholds(bad_record_share=1.0, min_requests=1)


@pytest.fixture
def training(rng) -> pd.DataFrame:
    return requests(rng, 3_000).assign(member=rng.random(3_000) < 0.6)


def _capture(tmp_path, lines: list[str]):
    path = tmp_path / "capture.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def _csv_lines(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    return frame[columns].to_csv(header=False, index=False).splitlines()


# --- booleans ---------------------------------------------------------------------------------


def test_a_boolean_feature_is_categorical_with_json_spellings(training):
    baseline = build_baseline(training, categorical=["colour"])
    member = baseline.categorical["member"]
    assert set(member.category_counts) == {"true", "false"} and member.boolean


@pytest.mark.parametrize(
    "spell",
    [
        lambda value: "true" if value else "false",  # JSON, most CSV writers
        lambda value: "True" if value else "False",  # Python's str(), pandas' to_csv
        lambda value: "TRUE" if value else "FALSE",  # spreadsheets
    ],
    ids=["lower", "python", "upper"],
)
def test_booleans_match_the_baseline_however_requests_spell_them(training, spell, rng, tmp_path):
    baseline = build_baseline(training, categorical=["colour"])
    window = requests(rng, 3_000).assign(member=rng.random(3_000) < 0.6)
    window["member"] = window["member"].map(spell)
    lines = [
        capture_record(row, "CSV", "text/csv") for row in _csv_lines(window, [*FEATURES, "member"])
    ]
    report = measure(baseline, read_capture([_capture(tmp_path, lines)], baseline), Thresholds())
    member = next(item for item in report.features if item.name == "member")
    assert member.new_categories == {} and member.psi < 0.01 and not member.violates


def test_json_booleans_and_a_frame_of_booleans_match_the_baseline(training, rng, tmp_path):
    baseline = build_baseline(training, categorical=["colour"])
    window = requests(rng, 3_000).assign(member=rng.random(3_000) < 0.6)
    rows = window[[*FEATURES, "member"]].astype(object).to_numpy().tolist()
    lines = [capture_record(json.dumps(row), "JSON", "application/json") for row in rows]
    from_json = measure(baseline, read_capture([_capture(tmp_path, lines)], baseline), Thresholds())
    from_memory = measure(baseline, from_frame(window, baseline), Thresholds())
    for report in (from_json, from_memory):
        member = next(item for item in report.features if item.name == "member")
        assert member.new_categories == {} and not member.violates


# --- infinite numbers -------------------------------------------------------------------------

INFINITE_CELLS = ["inf", "-inf", "Infinity", "-Infinity", "1e309"]


def test_infinite_csv_values_are_skipped_as_their_own_reason_and_fail_the_data_type(
    training, rng, tmp_path
):
    baseline = build_baseline(training[FEATURES], categorical=["colour"])
    rows = _csv_lines(requests(rng, 3_000), FEATURES)
    for index, cell in enumerate(INFINITE_CELLS):
        rows[index * 10] = f"40,{cell},3,red"
    lines = [capture_record(row, "CSV", "text/csv") for row in rows]
    tally = RecordTally()
    report = measure(
        baseline, read_capture([_capture(tmp_path, lines)], baseline, tally), LOOSE, tally
    )
    assert dict(tally.by_reason) == {reasons.INFINITE: 5}
    assert tally.first_bad.startswith(f"{tmp_path / 'capture.jsonl'}:1 ")
    income = next(item for item in report.features if item.name == "income")
    assert np.isfinite(income.current_summary["mean"]) and income.current_count == 2_995
    assert income.wrong_type and income.type_match == pytest.approx(2_995 / 3_000)
    assert "income" in report.violating


def test_infinite_json_values_are_skipped_as_their_own_reason(training, tmp_path):
    baseline = build_baseline(training[FEATURES], categorical=["colour"])
    lines = [
        capture_record(
            '{"age": 40, "income": Infinity, "visits": 3, "colour": "red"}',
            "JSON",
            "application/json",
        ),
        capture_record(
            '{"age": 1e309, "income": 50, "visits": 3, "colour": "red"}', "JSON", "application/json"
        ),
        capture_record(
            '{"age": 40, "income": 50, "visits": 3, "colour": "red"}', "JSON", "application/json"
        ),
    ]
    tally = RecordTally()
    measure(baseline, read_capture([_capture(tmp_path, lines)], baseline, tally), LOOSE, tally)
    assert dict(tally.by_reason) == {reasons.INFINITE: 2}
    assert dict(tally.mismatched_values) == {"income": 1, "age": 1}


def test_infinite_values_in_parquet_and_frames_are_left_out_and_counted(training, rng, tmp_path):
    baseline = build_baseline(training[FEATURES], categorical=["colour"])
    window = requests(rng, 3_000)
    window.loc[window.index[:3], "age"] = [np.inf, -np.inf, np.inf]
    pq.write_table(pa.Table.from_pandas(window, preserve_index=False), tmp_path / "w.parquet")
    for report in (
        measure(baseline, read_inputs([tmp_path / "w.parquet"], baseline), LOOSE),
        measure(baseline, from_frame(window, baseline), LOOSE),
    ):
        age = next(item for item in report.features if item.name == "age")
        assert report.rows == 2_997 and np.isfinite(age.current_summary["max"])
        assert age.wrong_type and report.violating == ["age"]


# --- invalid UTF-8 ----------------------------------------------------------------------------


def test_invalid_utf8_in_a_categorical_cell_is_its_own_reason(training, tmp_path):
    baseline = build_baseline(training[FEATURES], categorical=["colour"])
    body = base64.b64encode(b"40,50,3,r\xffd").decode()
    good = capture_record("40,50,3,red", "CSV", "text/csv")
    lines = [good, capture_record(body, "BASE64", "text/csv"), good]
    tally = RecordTally()
    measure(baseline, read_capture([_capture(tmp_path, lines)], baseline, tally), LOOSE, tally)
    assert dict(tally.by_reason) == {reasons.INVALID_UTF8: 1}
    assert tally.mismatched_values == {}  # not a number problem
    assert tally.first_bad.startswith(
        f"{tmp_path / 'capture.jsonl'}:2 CSV request is not valid UTF-8: "
    )


def test_invalid_utf8_in_a_capture_line_is_its_own_reason(training, tmp_path):
    baseline = build_baseline(training[FEATURES], categorical=["colour"])
    good = capture_record("40,50,3,red", "CSV", "text/csv").encode()
    broken = capture_record("40,50,3,rXd", "CSV", "text/csv").encode().replace(b"rXd", b"r\xffd")
    path = tmp_path / "capture.jsonl"
    path.write_bytes(b"\n".join([good, broken, good]) + b"\n")
    tally = RecordTally()
    report = measure(baseline, read_capture([path], baseline, tally), LOOSE, tally)
    assert dict(tally.by_reason) == {reasons.INVALID_UTF8: 1} and report.rows == 2
