"""How long a ``git push`` takes to reach the build's first command, and how long a warm build
of a generated project takes, on the local cloud.

1. Push to first command: a project whose buildspec's first command records the time; the clock
   runs from just before ``git push`` to that record (hook, signed delivery, filter groups, queue,
   provisioning, checkout, buildspec). Baseline: the same command run by hand in a fresh shell
   (``bash -c``), i.e. what starting anything costs.
2. Warm build: the dev stack deployed, a generated project pushed to main; its build (uv install
   from the warm cache, ruff, pytest, pipeline upserted and started) timed from StartBuild to
   COMPLETED, with each phase. Baseline: the same commands run by hand, one after the other, in a
   fresh environment made the same way (``uv venv``), outside the local cloud.

    python -m benchmarks.build_bench [--pushes N] [--skip-project]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3

from sagestack.scenarios.generated_project import git as _git

REPOSITORY = Path(__file__).resolve().parents[1]
OFFLINE = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "UV_OFFLINE": "1",
    "PIP_NO_INDEX": "1",
    "SAGEMAKER_VALIDATE_ROLE": "false",
    "SAGEMAKER_TELEMETRY_OPT_OUT": "true",
}
ROLE = "arn:aws:iam::123456789012:role/bench-build"


def _repository(endpoint: str, url: str, name: str, folder: Path) -> Path:
    from click.testing import CliRunner

    from sagestack.cli import main

    created = CliRunner().invoke(
        main, ["local", "repo", "create", name, "--url", url, "--endpoint", endpoint]
    )
    if created.exit_code != 0:
        raise RuntimeError(created.output)
    folder.mkdir(parents=True, exist_ok=True)
    _git(folder, "init", "--quiet", "--initial-branch=main")
    _git(folder, "remote", "add", "origin", created.output.strip())
    return folder


def _wait(codebuild, build_id: str, seconds: float = 900) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        build = codebuild.batch_get_builds(ids=[build_id])["builds"][0]
        if build["buildComplete"] or time.monotonic() > deadline:
            return build
        time.sleep(0.05)


def push_to_first_command(url: str, pushes: int, work: Path) -> tuple[list[float], list[float]]:
    codebuild = boto3.client("codebuild", endpoint_url=url)
    location = "https://github.com/bench/push"
    stamp = work / "first-command"
    spec = f"version: 0.2\nphases:\n  install:\n    commands:\n      - date +%s.%N > {stamp}\n"
    codebuild.create_project(
        name="bench-push",
        source={"type": "GITHUB", "location": location},
        artifacts={"type": "NO_ARTIFACTS"},
        serviceRole=ROLE,
        environment={
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/standard:7.0",
            "computeType": "BUILD_GENERAL1_SMALL",
        },
    )
    codebuild.create_webhook(
        projectName="bench-push", filterGroups=[[{"type": "EVENT", "pattern": "PUSH"}]]
    )
    clone = _repository(url, location, "bench-push", work / "push")
    (clone / "buildspec.yml").write_text(spec)
    local, baseline = [], []
    for attempt in range(pushes):
        (clone / "n.txt").write_text(str(attempt))
        _git(clone, "add", "-A")
        _git(clone, "commit", "--quiet", "-m", f"push {attempt}")
        started = time.time()
        _git(clone, "push", "--quiet", "origin", "HEAD:refs/heads/main")
        build_id = codebuild.list_builds_for_project(projectName="bench-push")["ids"][-1]
        _wait(codebuild, build_id)
        local.append(float(stamp.read_text()) - started)
        started = time.time()
        subprocess.run(["bash", "-c", f"date +%s.%N > {stamp}"], check=True)
        baseline.append(float(stamp.read_text()) - started)
    return local, baseline


def generated_project_build(url: str, work: Path) -> tuple[list[dict], float]:
    """Two pushes of a generated project (the second warm); and the baseline's seconds."""
    from cookiecutter.main import cookiecutter

    from sagestack.deploy import deploy, stack_config
    from sagestack.deploy.progress import Progress

    deploy(
        "dev",
        stack_config("dev", REPOSITORY),
        endpoint=url,
        state_dir=work / "deploy",
        progress=Progress(io.StringIO()),
    )
    project_url = "https://github.com/acme/churn"
    project = Path(
        cookiecutter(
            str(REPOSITORY / "templates" / "sagemaker-project"),
            no_input=True,
            output_dir=str(work / "generated"),
            extra_context={"project_name": "churn", "repository_url": project_url},
        )
    )
    clone = _repository(url, project_url, "churn", work / "churn")
    subprocess.run(["cp", "-a", f"{project}/.", str(clone)], check=True)
    codebuild = boto3.client("codebuild", endpoint_url=url)
    builds = []
    for attempt in range(2):
        (clone / "CHANGES.txt").write_text(f"push {attempt}\n")
        _git(clone, "add", "-A")
        _git(clone, "commit", "--quiet", "-m", f"push {attempt}")
        _git(clone, "push", "--quiet", "origin", "HEAD:refs/heads/main")
        name = [p for p in codebuild.list_projects()["projects"] if p.endswith("-build")][0]
        build_id = codebuild.list_builds_for_project(projectName=name)["ids"][-1]
        builds.append(_wait(codebuild, build_id))
    return builds, _baseline_project_build(project, work / "baseline-env")


def _baseline_project_build(project: Path, environment: Path) -> float:
    """The buildspec's install, lint and test commands by hand, in a fresh environment."""
    from uv import find_uv_bin

    uv = find_uv_bin()
    started = time.monotonic()
    env = {
        **os.environ,
        **OFFLINE,
        "VIRTUAL_ENV": str(environment),
        "PATH": f"{environment}/bin:{Path(uv).parent}:{os.environ['PATH']}",
    }
    for command in (
        [uv, "venv", "--quiet", "--seed", "--python", sys.executable, str(environment)],
        [uv, "pip", "install", "--quiet", "-e", ".[dev]"],
        ["ruff", "check", "."],
        ["python", "-m", "pytest", "-q"],
    ):
        subprocess.run(command, cwd=project, env=env, check=True, capture_output=True)
    return time.monotonic() - started


def _seconds(build: dict) -> float:
    return (build["endTime"] - build["startTime"]).total_seconds()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pushes", type=int, default=5)
    parser.add_argument("--skip-project", action="store_true")
    args = parser.parse_args(argv)
    os.environ.update(OFFLINE)
    from sagestack.localcloud.server import LocalCloud

    with tempfile.TemporaryDirectory(prefix="build-bench-") as folder, LocalCloud() as cloud:
        work = Path(folder)
        local, baseline = push_to_first_command(cloud.url, args.pushes, work)
        median, base = statistics.median(local), statistics.median(baseline)
        print(
            f"git push -> first command: median {median:.2f} s over {len(local)} pushes "
            f"(min {min(local):.2f}, max {max(local):.2f}); bash -c baseline {base * 1000:.0f} ms; "
            f"ratio {median / base:.0f}x"
        )
        if args.skip_project:
            return 0
        builds, by_hand = generated_project_build(cloud.url, work)
        for label, build in zip(("first", "warm"), builds, strict=True):
            phases = ", ".join(
                f"{p['phaseType']} {p.get('durationInSeconds', 0)}s"
                for p in build["phases"]
                if p.get("durationInSeconds")
            )
            print(
                f"generated project, {label} build: {build['buildStatus']} in "
                f"{_seconds(build):.1f} s ({phases})"
            )
        print(
            f"generated project by hand (install, lint, test; no pipeline): {by_hand:.1f} s; "
            f"warm build / by hand: {_seconds(builds[1]) / by_hand:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
