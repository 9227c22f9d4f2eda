"""A generated project's deploy build, run as CodeBuild runs buildspec-deploy.yml: its commands in
the project's checkout, with the deploy project's environment and the local cloud's ``pulumi``
on the PATH."""

from __future__ import annotations

import io
import os
import shlex
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from sagestack.localcloud.executors import images
from sagestack.localcloud.testing.models import SKLEARN_IMAGE

PHASES = ("pre_build", "build")  # install (pip install -e .) is what PYTHONPATH stands in for


def pulumi_shim(folder: Path) -> Path:
    """A ``pulumi`` command that is sagestack's local one (what a build executor provides)."""
    folder.mkdir(parents=True, exist_ok=True)
    shim = folder / "pulumi"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m sagestack.deploy.pulumi_cli "$@"\n')
    shim.chmod(0o755)
    return folder


def train_model(project: Path, package: str, work: Path) -> bytes:
    """``model.tar.gz`` as the project's training step writes it, trained in the sklearn image's
    environment on the project's sample data."""
    sys.path.insert(0, str(project))
    try:
        sample = __import__(f"{package}.sample_data", fromlist=["sample_frame"]).sample_frame()
    finally:
        sys.path.remove(str(project))
    (work / "train").mkdir(parents=True)
    sample.head(200).to_csv(work / "train" / "train.csv", index=False)
    python = images.environment_python(images.image_for_uri(SKLEARN_IMAGE))
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [
            str(python),
            "train.py",
            "--target-column",
            "target",
            "--problem-type",
            "binary_classification",
            "--model",
            "sklearn",
            "--n-estimators",
            "20",
            "--train-dir",
            str(work / "train"),
            "--model-dir",
            str(work / "model"),
        ],
        cwd=project / "steps",
        env=environment,
        check=True,
        capture_output=True,
    )
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted((work / "model").rglob("*")):
            tar.add(path, arcname=str(path.relative_to(work / "model")), recursive=False)
    return buffer.getvalue()


@dataclass
class DeployBuild:
    project: Path
    environment: dict[str, str]

    def run(self, model_package_arn: str) -> subprocess.CompletedProcess:
        """Every command of the build's phases, in order, in one shell as CodeBuild runs them
        (what one exports, the next sees), stopping at the first that fails."""
        spec = yaml.safe_load((self.project / "buildspec-deploy.yml").read_text())
        commands = [command for phase in PHASES for command in spec["phases"][phase]["commands"]]
        script = "".join(
            f"echo {shlex.quote('$ ' + command)}\n{command}\n"
            "status=$?; if [ $status -ne 0 ]; then exit $status; fi\n"
            for command in commands
        )
        environment = {**self.environment, "MODEL_PACKAGE_ARN": model_package_arn}
        done = subprocess.run(
            ["bash", "-c", script],
            cwd=self.project,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=1200,
        )
        return subprocess.CompletedProcess("build", done.returncode, done.stdout)


def eventually(check, timeout: float = 30.0):
    """``check()``'s first truthy result, polled; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < deadline, f"not true after {timeout} s"
        time.sleep(0.2)
    return result
