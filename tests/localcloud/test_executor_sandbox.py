"""A job sees SageMaker's /opt/ml as its own folder, and jobs side by side see their own."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sagestack.localcloud.executors.sandbox import container_argv


def _run(job_folder, script: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        container_argv(job_folder, ["sh", "-c", script]), capture_output=True, text=True
    )


def test_the_job_reads_and_writes_its_own_folder_as_opt_ml(tmp_path):
    (tmp_path / "input" / "data" / "train").mkdir(parents=True)
    (tmp_path / "input" / "data" / "train" / "rows.csv").write_text("1,2\n")
    result = _run(
        tmp_path,
        "cat /opt/ml/input/data/train/rows.csv; mkdir -p /opt/ml/model; "
        "echo trained > /opt/ml/model/model.txt",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "1,2\n"
    assert (tmp_path / "model" / "model.txt").read_text() == "trained\n"


def test_two_jobs_never_see_each_other_s_files(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    (first / "mine").write_text("first")
    jobs = [
        subprocess.Popen(
            container_argv(folder, ["sh", "-c", "sleep 0.3; ls /opt/ml"]),
            stdout=subprocess.PIPE,
            text=True,
        )
        for folder in (first, second)
    ]
    listings = [job.communicate()[0].split() for job in jobs]
    assert listings == [["mine"], []]


def test_the_host_s_opt_ml_stays_empty(tmp_path):
    _run(tmp_path, "echo written > /opt/ml/file")
    assert (tmp_path / "file").exists()
    assert not any(Path("/opt/ml").iterdir())
