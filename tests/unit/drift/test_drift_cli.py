"""``python -m sagestack_pipelines.drift``: a baseline from training data, then a run over
captures."""

from __future__ import annotations

import json
import subprocess
import sys

import boto3
import numpy as np
import pytest
from drift_frames import requests
from moto import mock_aws

from sagestack.contract import DRIFT_NAMESPACE
from sagestack_pipelines.drift.__main__ import main
from sagestack_pipelines.drift.baseline import build_baseline, to_json


@pytest.fixture
def baseline_file(rng, tmp_path):
    training = tmp_path / "train.csv"
    requests(rng, 5_000).to_csv(training, index=False)
    path = tmp_path / "model" / "baseline.json"
    assert (
        main(
            ["baseline", "--data", str(training), "--categorical", "colour", "--output", str(path)]
        )
        == 0
    )
    return path


def _capture_folder(rng, folder, rows=3_000, **changes):
    folder.mkdir(parents=True)
    rows = requests(rng, rows, **changes).to_csv(header=False, index=False).splitlines()
    lines = [
        json.dumps(
            {
                "captureData": {
                    "endpointInput": {
                        "observedContentType": "text/csv",
                        "mode": "INPUT",
                        "data": row,
                        "encoding": "CSV",
                    }
                },
                "eventMetadata": {"eventId": str(i), "inferenceTime": "2026-11-26T10:00:00Z"},
                "eventVersion": "0",
            }
        )
        for i, row in enumerate(rows)
    ]
    (folder / "capture.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def _compare(baseline_file, capture, output, *extra) -> int:
    return main(
        [
            "compare",
            "--endpoint-name",
            "churn",
            "--baseline",
            str(baseline_file),
            "--input",
            str(capture),
            "--output",
            str(output),
            *extra,
        ]
    )


@mock_aws
def test_compare_writes_the_outputs_and_publishes_metrics(rng, baseline_file, tmp_path, capsys):
    capture = _capture_folder(rng, tmp_path / "capture", age_shift=6.0)
    output = tmp_path / "output"
    code = _compare(baseline_file, capture, output, "--publish-metrics")
    assert code == 0
    assert sorted(path.name for path in output.iterdir()) == [
        "constraint_violations.json",
        "drift_report.html",
        "drift_statistics.json",
    ]
    statistics = json.loads((output / "drift_statistics.json").read_text())
    assert statistics["rows"] == 3_000 and statistics["violating_features"] == ["age"]
    assert "violating: age" in capsys.readouterr().err
    names = boto3.client("cloudwatch", region_name="us-east-1").list_metrics(
        Namespace=DRIFT_NAMESPACE
    )
    assert len(names["Metrics"]) == 10  # two per feature, two per endpoint


def test_the_report_names_the_window_and_where_the_baseline_came_from(rng, baseline_file, tmp_path):
    capture = _capture_folder(rng, tmp_path / "capture")
    window = ["--window-start", "2026-11-26T21:00:00Z", "--window-end", "2026-11-26T22:00:00Z"]
    uri = "s3://platform/projects/churn/drift/baseline.json"
    assert _compare(baseline_file, capture, tmp_path / "out", *window, "--baseline-uri", uri) == 0
    page = (tmp_path / "out" / "drift_report.html").read_text()
    assert "<dd id='window'>2026-11-26 21:00 → 22:00 UTC (1 h)</dd>" in page
    created = json.loads(baseline_file.read_text())["created_at"][:16].replace("T", " ")
    assert f"{uri}, built {created} UTC from 5,000 rows of training data" in page
    assert _compare(baseline_file, capture, tmp_path / "plain") == 0
    page = (tmp_path / "plain" / "drift_report.html").read_text()
    assert f"<dd id='baseline'>{baseline_file}, built" in page
    assert f"<dd id='window'>times not given; requests from {capture}</dd>" in page


def test_compare_skips_malformed_records_and_reports_them(rng, baseline_file, tmp_path, capsys):
    capture = _capture_folder(rng, tmp_path / "capture")
    with (capture / "capture.jsonl").open("a") as lines:
        lines.write("not json at all\n")
    output = tmp_path / "output"
    assert _compare(baseline_file, capture, output) == 0
    statistics = json.loads((output / "drift_statistics.json").read_text())
    first = f"{capture / 'capture.jsonl'}:3001 is not a data capture record"
    assert statistics["rows"] == 3_000
    assert statistics["bad_records"]["records"] == 3_001
    assert statistics["bad_records"]["by_reason"] == {"not a capture record": 1}
    assert statistics["bad_records"]["first"].startswith(first)
    assert (
        "Skipped 1 malformed capture records of 3,001" in (output / "drift_report.html").read_text()
    )
    assert "skipped 1 malformed capture records of 3,001 (not a capture record: 1)" in (
        capsys.readouterr().err
    )


def test_compare_fails_when_too_many_records_are_malformed(rng, baseline_file, tmp_path, capsys):
    capture = _capture_folder(rng, tmp_path / "capture")
    with (capture / "capture.jsonl").open("a") as lines:
        lines.write("not json at all\n" * 40)
    assert _compare(baseline_file, capture, tmp_path / "output") == 2
    error = capsys.readouterr().err
    assert "40 of 3,040 capture records (1.32%) are malformed, more than the 1.00% allowed" in error
    assert f"{capture / 'capture.jsonl'}:3001 is not a data capture record" in error
    assert not (tmp_path / "output").exists()
    assert (
        _compare(baseline_file, capture, tmp_path / "output", "--bad-record-threshold", "0.02") == 0
    )


@mock_aws
def test_compare_over_too_few_requests_judges_and_publishes_nothing(
    rng, baseline_file, tmp_path, capsys
):
    capture = _capture_folder(rng, tmp_path / "capture", rows=500, age_shift=6.0)
    assert _compare(baseline_file, capture, tmp_path / "output", "--publish-metrics") == 0
    assert "window too small to judge: 500 requests, at least 2,902 needed; no metrics" in (
        capsys.readouterr().err
    )
    statistics = json.loads((tmp_path / "output" / "drift_statistics.json").read_text())
    assert (statistics["judged"], statistics["violating_features"]) == (False, [])
    metrics = boto3.client("cloudwatch", region_name="us-east-1").list_metrics()
    assert metrics["Metrics"] == []
    assert _compare(baseline_file, capture, tmp_path / "again", "--min-requests", "500") == 0
    assert "violating: age" in capsys.readouterr().err


def test_compare_without_requests_reports_nothing_to_compare(baseline_file, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    code = _compare(baseline_file, tmp_path / "empty", tmp_path / "output")
    assert code == 0
    assert "no requests under" in capsys.readouterr().err
    assert not (tmp_path / "output").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--input", "/nonexistent/capture"],
            "input /nonexistent/capture is neither a file nor a folder",
        ),
        (["--psi-threshold", "-1"], "threshold psi -1.0 is invalid"),
        (
            ["--window-end", "yesterday"],
            "--window-end 'yesterday' is invalid: expected an ISO 8601 time such as",
        ),
        (
            ["--window-start", "2026-11-26T22:00Z", "--window-end", "2026-11-26T21:00Z"],
            "--window-start '2026-11-26T22:00Z' is invalid: expected a time before --window-end",
        ),
    ],
)
def test_compare_errors_exit_2_with_a_message(baseline_file, tmp_path, capsys, arguments, message):
    assert _compare(baseline_file, tmp_path, tmp_path / "output", *arguments) == 2
    assert message in capsys.readouterr().err


def test_baseline_refuses_an_unknown_data_format(tmp_path, capsys):
    data = tmp_path / "train.xlsx"
    data.write_text("")
    assert main(["baseline", "--data", str(data), "--output", str(tmp_path / "b.json")]) == 2
    assert "expected .csv or .parquet" in capsys.readouterr().err


def test_model_monitor_writes_its_baseline_files(baseline_file, tmp_path):
    output = tmp_path / "model-monitor"
    arguments = ["--baseline", str(baseline_file), "--output", str(output)]
    assert main(["model-monitor", *arguments, "--comparison-threshold", "0.2"]) == 0
    assert sorted(path.name for path in output.iterdir()) == ["constraints.json", "statistics.json"]
    constraints = json.loads((output / "constraints.json").read_text())
    assert (
        constraints["monitoring_config"]["distribution_constraints"]["comparison_threshold"] == 0.2
    )


def test_a_parquet_baseline_equals_the_one_from_the_same_data_in_memory(rng, tmp_path):
    training = requests(rng, 2_000).assign(member=rng.random(2_000) < 0.5)
    training.loc[training.index[:10], "visits"] = np.nan
    training.to_parquet(tmp_path / "train.parquet", index=False)
    path = tmp_path / "baseline.json"
    arguments = ["--data", str(tmp_path / "train.parquet"), "--output", str(path)]
    assert main(["baseline", *arguments, "--categorical", "colour"]) == 0
    expected = to_json(build_baseline(training, categorical=["colour"]))
    written = json.loads(path.read_text())
    assert {**written, "created_at": ""} == {**expected, "created_at": ""}


# The commands, each in a fresh interpreter: which heavy libraries did it import?
_IMPORTS = """
import sys
from sagestack_pipelines.drift.__main__ import main
from sagestack_pipelines.drift.baseline import build_baseline, to_json
code = main(sys.argv[1:])
print("imported:", code, *(name for name in ("pandas", "scipy") if name in sys.modules))
"""


def _imports(*arguments) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _IMPORTS, *arguments], capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()[-1].split()[1:]


def test_commands_import_neither_pandas_nor_scipy_until_they_need_them(rng, tmp_path):
    training = requests(rng, 3_000)
    training.to_parquet(tmp_path / "train.parquet", index=False)
    baseline = tmp_path / "baseline.json"
    arguments = ["--data", str(tmp_path / "train.parquet"), "--output", str(baseline)]
    assert _imports("baseline", *arguments, "--categorical", "colour") == ["0"]
    capture = _capture_folder(rng, tmp_path / "capture", rows=100)
    compare = ["compare", "--endpoint-name", "e", "--baseline", str(baseline)]
    compare += ["--input", str(capture), "--output", str(tmp_path / "out")]
    assert _imports(*compare) == ["0"]  # too few requests to judge: no test, no scipy
    assert _imports(*compare, "--min-requests", "1") == ["0", "scipy"]
