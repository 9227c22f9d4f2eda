"""``sagestack demo`` as a user runs it: the whole loop on a local cloud of its own, every stage
done by the platform's real executors (build, pipelines, deploy build, endpoint, drift monitor),
its reports written, its processes stopped; a failing stage exits 1 naming it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from e2e_stacks import REPOSITORY

from sagestack.demo.stages import FAILED, NOT_RUN, PASSED

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo")]
SAGESTACK = str(Path(sys.executable).with_name("sagestack"))
STAGES = [
    "platform",
    "project",
    "build",
    "training",
    "deploy",
    "quiet hour",
    "drift page",
    "retraining",
]


def _demo(tmp_path, checkout) -> tuple[subprocess.CompletedProcess, dict]:
    """``sagestack demo`` in a process of its own (as a user runs it: the local cloud's state is
    the process's), its temporary folders under ``tmp_path``."""
    report, temporary = tmp_path / "demo.json", tmp_path / "tmp"
    temporary.mkdir()
    done = subprocess.run(
        [SAGESTACK, "demo", "--report", str(report), "--html", str(tmp_path / "html")],
        cwd=checkout,
        env={**os.environ, "TMPDIR": str(temporary), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    _assert_nothing_left_running(temporary)
    return done, json.loads(report.read_text())


def _assert_nothing_left_running(folder) -> None:
    """No process works in or names ``folder`` (builds, jobs and model servers all do)."""
    left = []
    for process in psutil.process_iter(["pid", "cmdline", "cwd"]):
        text = " ".join(process.info["cmdline"] or []) + " " + (process.info["cwd"] or "")
        if str(folder) in text:
            left.append(f"{process.info['pid']} {text}")
    assert not left, f"the demo left processes running: {left}"


def test_the_demo_runs_the_whole_loop_and_reports_every_stage(tmp_path):
    result, report = _demo(tmp_path, REPOSITORY)

    assert result.returncode == 0, result.stdout + result.stderr
    assert [(s["name"], s["status"]) for s in report["stages"]] == [(n, PASSED) for n in STAGES]
    loop = sum(s["seconds"] for s in report["stages"] if s["name"] not in ("platform", "project"))
    assert report["ok"] is True and report["loop_seconds"] == pytest.approx(loop, abs=0.1)
    output = " ".join(result.stdout.split())
    assert (
        "registered arn:aws:sagemaker:us-east-1:123456789012:model-package/sagestack-dev-churn/1"
        in output
    )
    assert 'violating tenure; paged: ALARM: "sagestack-dev-churn-drift-tenure"' in output
    assert "no feature violates; nobody paged" in output
    assert "registered version 2" in output
    page = (tmp_path / "html" / "index.html").read_text()
    assert "sagestack-dev-churn-drift-tenure" in page and "push build" in page
    assert "tenure" in (tmp_path / "html" / "drift-report.html").read_text()


def test_a_failing_stage_exits_1_names_it_and_runs_nothing_after_it(tmp_path):
    # a checkout that is not a git repository: cruft cannot read the template from it
    checkout = tmp_path / "not-a-repository"
    checkout.mkdir()
    shutil.copy(REPOSITORY / "Pulumi.dev.yaml", checkout)
    result, report = _demo(tmp_path, checkout)

    assert result.returncode == 1, result.stdout + result.stderr
    statuses = [s["status"] for s in report["stages"]]
    assert statuses == [PASSED, FAILED] + [NOT_RUN] * (len(STAGES) - 2), result.stdout
    assert report["ok"] is False
    assert "stage project failed" in " ".join(result.stdout.split())
