"""What the local cloud's pipeline executor costs on top of the work its steps do.

1. Per-step overhead, on a pipeline of three processing steps in a row, each a script that
   prints the time at its first and last line: from a step's start (its StartTime) to its
   script's first line, and from a script's last line to the next step's start. Baseline: the
   same three scripts run one after the other as plain processes of the image's Python (spawn
   to first line, last line to the next spawn), in the same command.
2. The generated project's training pipeline (the dev stack's churn project, as its push build
   starts it), start to Succeeded. Baseline: its step scripts (preprocess, train, evaluate) run
   directly, one after the other, with the same images' Pythons on the same data.

    python -m benchmarks.pipeline_bench [--runs N]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
STEPS = 3
SCRIPT = "import time; print('first', time.time(), flush=True); print('last', time.time())"


def _wait(sagemaker, arn: str) -> dict:
    while True:
        described = sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)
        if described["PipelineExecutionStatus"] not in ("Executing", "Stopping"):
            return described
        time.sleep(0.05)


def _printed_times(logs, job_name: str) -> dict[str, float]:
    streams = logs.describe_log_streams(
        logGroupName="/aws/sagemaker/ProcessingJobs", logStreamNamePrefix=job_name
    )["logStreams"]
    events = logs.get_log_events(
        logGroupName="/aws/sagemaker/ProcessingJobs",
        logStreamName=streams[0]["logStreamName"],
        startFromHead=True,
    )["events"]
    return {
        line.split()[0]: float(line.split()[1])
        for line in (e["message"] for e in events)
        if line.startswith(("first ", "last "))
    }


def _chain_definition(role: str) -> str:
    sys.path.insert(0, str(REPOSITORY / "tests" / "localcloud"))
    from pipeline_runs import definition, python_step

    steps = [
        python_step(f"Step{n}", SCRIPT, role, DependsOn=[f"Step{n - 1}"] if n else [])
        for n in range(STEPS)
    ]
    for step in steps:
        if not step["DependsOn"]:
            del step["DependsOn"]
    return definition(steps)


def step_overhead(cloud_url: str, runs: int) -> tuple[list[float], list[float], tuple]:
    import boto3

    from sagestack.localcloud.executors import images

    session = boto3.Session(
        region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    sagemaker, logs, iam = (
        session.client(s, endpoint_url=cloud_url) for s in ("sagemaker", "logs", "iam")
    )
    sys.path.insert(0, str(REPOSITORY / "tests" / "localcloud"))
    from pipeline_runs import SKLEARN_IMAGE, execution_role

    session.client("s3", endpoint_url=cloud_url).create_bucket(Bucket="bench")
    role = execution_role(iam, "bench", "bench")
    sagemaker.create_pipeline(
        PipelineName="chain", RoleArn=role, PipelineDefinition=_chain_definition(role)
    )
    to_first, to_next = [], []
    for _ in range(runs):
        arn = sagemaker.start_pipeline_execution(PipelineName="chain")["PipelineExecutionArn"]
        _wait(sagemaker, arn)
        steps = sorted(
            sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=arn)[
                "PipelineExecutionSteps"
            ],
            key=lambda s: s["StartTime"],
        )
        printed = [
            _printed_times(logs, s["Metadata"]["ProcessingJob"]["Arn"].rsplit("/", 1)[-1])
            for s in steps
        ]
        for step, times in zip(steps, printed, strict=True):
            to_first.append(times["first"] - step["StartTime"].timestamp())
        for times, following in zip(printed, steps[1:], strict=False):
            to_next.append(following["StartTime"].timestamp() - times["last"])
    python = images.environment_python(images.image_for_uri(SKLEARN_IMAGE))
    return to_first, to_next, _direct_overhead(python, runs)


def _direct_overhead(python: Path, runs: int) -> tuple[list[float], list[float]]:
    to_first, to_next, last = [], [], None
    for _ in range(runs * STEPS):
        spawned = time.time()
        if last is not None:
            to_next.append(spawned - last)
        output = subprocess.run([python, "-c", SCRIPT], capture_output=True, text=True).stdout
        times = {line.split()[0]: float(line.split()[1]) for line in output.splitlines()}
        to_first.append(times["first"] - spawned)
        last = times["last"]
    return to_first, to_next


def project_pipeline(cloud_url: str, runs: int) -> tuple[list[float], list[float]]:
    """The churn project's pipeline wall time, and its scripts run directly."""
    sys.path.insert(0, str(REPOSITORY / "tests" / "template"))
    sys.path.insert(0, str(REPOSITORY / "tests" / "e2e"))
    import boto3
    from e2e_stacks import dev_config
    from template_matrix import render

    from sagestack import contract
    from sagestack.deploy import deploy
    from sagestack.deploy.progress import Progress
    from sagestack.localcloud import moto as moto_internals

    # a fresh cloud, as a platform's first deploy meets it (the steps above made job log groups
    # the platform now creates itself)
    moto_internals.reset_state()
    folder = Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    quiet = io.StringIO()  # the deploy's tables are not the measurement
    with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        deploy(
            "dev",
            dev_config(),
            endpoint=cloud_url,
            state_dir=folder / "deploy",
            progress=Progress(io.StringIO()),
        )
    checkout = render(
        folder,
        {
            "project_name": "churn",
            "problem_type": "binary_classification",
            "model": "xgboost",
            "data_source": "sample",
        },
    )
    environment = {
        **os.environ,
        "AWS_ENDPOINT_URL": cloud_url,
        "PYTHONPATH": str(checkout),
        contract.ENV_STACK: "dev",
        contract.ENV_PROJECT: "churn",
        contract.ENV_WEBHOOK_EVENT: "PUSH",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "SAGEMAKER_TELEMETRY_OPT_OUT": "true",
        "SAGEMAKER_VALIDATE_ROLE": "false",
    }
    sagemaker = boto3.client(
        "sagemaker",
        endpoint_url=cloud_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    pipeline_times = []
    for run in range(runs):
        environment["CODEBUILD_RESOLVED_SOURCE_VERSION"] = f"bench{run}"
        build = subprocess.run(
            [sys.executable, "-m", "churn.run", "--on-push"],
            cwd=checkout,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        arn = build.stdout.strip().rsplit("started ", 1)[-1]
        described = _wait(sagemaker, arn)
        assert described["PipelineExecutionStatus"] == "Succeeded", described
        pipeline_times.append(
            (described["LastModifiedTime"] - described["CreationTime"]).total_seconds()
        )
    return pipeline_times, [_direct_project(checkout) for _ in range(runs)]


def _direct_project(checkout: Path) -> float:
    from sagestack.localcloud.executors import images

    sklearn = images.environment_python(
        images.image_for_uri(_uri("sagemaker-scikit-learn", "1.2-1-cpu-py3"))
    )
    xgboost = images.environment_python(images.image_for_uri(_uri("sagemaker-xgboost", "1.7-1")))
    steps = checkout / "steps"
    sys.path.insert(0, str(checkout))
    from churn import sample_data

    with tempfile.TemporaryDirectory() as work:
        base = Path(work)
        sample_data.write_sample(base / "input")
        started = time.perf_counter()
        common = ["--target-column", "target"]
        subprocess.run(
            [
                sklearn,
                steps / "preprocess.py",
                *common,
                "--problem-type",
                "binary_classification",
                "--base-dir",
                base,
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                xgboost,
                steps / "train.py",
                *common,
                "--problem-type",
                "binary_classification",
                "--model",
                "xgboost",
                "--train-dir",
                base / "train",
                "--model-dir",
                base / "trained",
            ],
            check=True,
            capture_output=True,
        )
        (base / "model").mkdir()
        with tarfile.open(base / "model" / "model.tar.gz", "w:gz") as archive:
            for path in (base / "trained").iterdir():
                archive.add(path, arcname=path.name)
        subprocess.run(
            [xgboost, steps / "evaluate.py", *common, "--base-dir", base],
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - started


def _uri(repository: str, tag: str) -> str:
    return f"683313688378.dkr.ecr.us-east-1.amazonaws.com/{repository}:{tag}"


def _line(label: str, measured: list[float], baseline: list[float]) -> str:
    ours, base = statistics.median(measured), statistics.median(baseline)
    ratio = f"{ours / base:.1f}x" if base > 0 else "n/a"
    return f"  {label:<38} {ours:6.2f}s   direct {base:6.2f}s   ({ratio})"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pipeline_bench")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    os.environ.setdefault("SAGEMAKER_TELEMETRY_OPT_OUT", "true")
    from sagestack.localcloud.server import LocalCloud

    with LocalCloud(port=0) as cloud:
        first, following, (direct_first, direct_next) = step_overhead(cloud.url, args.runs)
        project, direct = project_pipeline(cloud.url, args.runs)
    print(f"per step ({STEPS} processing steps in a row, {args.runs} runs, medians)")
    print(_line("step start -> script's first line", first, direct_first))
    print(_line("script's last line -> next step start", following, direct_next))
    print(f"generated project's pipeline ({args.runs} runs, medians)")
    print(_line("start -> Succeeded", project, direct))
    print(json.dumps({"to_first_line": first, "to_next_step": following, "project": project}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
