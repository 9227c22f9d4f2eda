"""How long the whole loop takes: ``sagestack demo`` run N times (each in a process of its own,
as a user runs it), the medians of its stages and of the loop (build to retraining).

Baseline, run in the same command: the work the loop cannot avoid, done by hand outside the local
cloud: the generated project's own checks (``ruff check .`` and ``python -m pytest -q``, which its
build runs) in this environment. The ratio says what the platform's executors add around it.

    python -m benchmarks.demo_bench [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
SAGESTACK = str(Path(sys.executable).with_name("sagestack"))


def demo_run(folder: Path) -> dict:
    report = folder / "demo.json"
    done = subprocess.run(
        [SAGESTACK, "demo", "--report", str(report), "--html", str(folder / "html")],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"the demo failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(report.read_text())


def project_checks(folder: Path) -> float:
    """Seconds to run the generated project's ruff and pytest by hand."""
    from cookiecutter.main import cookiecutter

    project = Path(
        cookiecutter(
            str(REPOSITORY / "templates" / "sagemaker-project"),
            no_input=True,
            output_dir=str(folder),
        )
    )
    environment = {**os.environ, "PYTHONPATH": str(project)}
    started = time.perf_counter()
    for command in (
        [str(Path(sys.executable).with_name("ruff")), "check", "."],
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
    ):
        subprocess.run(command, cwd=project, env=environment, check=True, capture_output=True)
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    reports = []
    with tempfile.TemporaryDirectory() as folder:
        baseline = project_checks(Path(folder))
        for run in range(args.runs):
            run_folder = Path(folder) / f"run-{run}"
            run_folder.mkdir()
            reports.append(demo_run(run_folder))
            print(f"run {run + 1}: loop {reports[-1]['loop_seconds']:.1f} s", flush=True)
    names = [stage["name"] for stage in reports[0]["stages"]]
    print(f"sagestack demo, {args.runs} runs: median seconds per stage")
    for name in names:
        values = [s["seconds"] for r in reports for s in r["stages"] if s["name"] == name]
        print(f"  {name:<12} {statistics.median(values):7.1f}")
    loop = statistics.median(r["loop_seconds"] for r in reports)
    print(f"  {'loop':<12} {loop:7.1f}   (build to retraining)")
    print(f"baseline: the project's ruff + pytest by hand {baseline:.1f} s")
    print(f"ratio: the loop takes {loop / baseline:.2f}x its project's own checks")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
