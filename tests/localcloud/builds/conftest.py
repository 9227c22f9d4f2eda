"""Helpers for the build executor's tests: projects, local repositories with pushes, waiting."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

ROLE = "arn:aws:iam::123456789012:role/churn-build"
URL = "https://github.com/acme/churn"
PUSH_TO_MAIN = [
    [{"type": "EVENT", "pattern": "PUSH"}, {"type": "HEAD_REF", "pattern": "^refs/heads/main$"}]
]
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Ada",
    "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "Ada",
    "GIT_COMMITTER_EMAIL": "ada@example.com",
}


@pytest.fixture(autouse=True)
def _sagestack_only(local_cloud):
    if not local_cloud.is_sagestack:
        pytest.skip("runs builds on sagestack's local cloud")


@pytest.fixture
def codebuild(fresh_local_cloud):
    return boto3.client("codebuild")


TRUST_CODEBUILD = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "codebuild.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
# what the builds of these tests do, and nothing else
BUILD_ACTIONS_WITHOUT_S3 = [
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "ssm:GetParameters",
    "secretsmanager:GetSecretValue",
]
BUILD_ACTIONS = [*BUILD_ACTIONS_WITHOUT_S3, "s3:PutObject"]


def create_role(name: str = ROLE.rsplit("/", 1)[-1], actions: list[str] = BUILD_ACTIONS) -> str:
    """The project's service role: trusts CodeBuild, may do ``actions`` (any resource)."""
    iam = boto3.client("iam")
    with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST_CODEBUILD))
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
    }
    iam.put_role_policy(RoleName=name, PolicyName="build", PolicyDocument=json.dumps(policy))
    return iam.get_role(RoleName=name)["Role"]["Arn"]


def create_project(
    codebuild: Any,
    name: str = "churn-build",
    buildspec: str | None = None,
    source_type: str = "GITHUB",
    location: str = URL,
    **settings: Any,
) -> dict:
    source = {"type": source_type, "location": location}
    if source_type == "NO_SOURCE":
        source = {"type": "NO_SOURCE"}
    if buildspec is not None:
        source["buildspec"] = buildspec
    create_role(actions=settings.pop("role_actions", BUILD_ACTIONS))
    return codebuild.create_project(
        name=name,
        source=source,
        artifacts=settings.pop("artifacts", {"type": "NO_ARTIFACTS"}),
        environment={
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/standard:7.0",
            "computeType": "BUILD_GENERAL1_SMALL",
            "environmentVariables": settings.pop("variables", []),
        },
        serviceRole=ROLE,
        **settings,
    )["project"]


def wait_for_build(codebuild: Any, build_id: str, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        build = codebuild.batch_get_builds(ids=[build_id])["builds"][0]
        if build["buildComplete"] or time.monotonic() > deadline:
            return build
        time.sleep(0.1)


def wait_for(condition: Callable[[], Any], seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    return condition()


def phases(build: dict) -> dict[str, dict]:
    return {p["phaseType"]: p for p in build["phases"]}


def log_lines(build: dict) -> list[str]:
    logs = boto3.client("logs")
    time.sleep(0.3)  # the stream flushes every 0.2 s
    events = logs.get_log_events(
        logGroupName=build["logs"]["groupName"], logStreamName=build["logs"]["streamName"]
    )["events"]
    return [e["message"] for e in events]


class WorkingCopy:
    """A clone of a local repository to commit and push from."""

    def __init__(self, path: Path, remote: str):
        self.path, self.remote = path, remote
        self.git("init", "--quiet", "--initial-branch=main")
        self.git("remote", "add", "origin", remote)

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", *args],
            cwd=self.path,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, **GIT_IDENTITY},
        )
        return done.stdout + done.stderr

    def commit(self, files: dict[str, str], message: str = "change") -> str:
        for name, text in files.items():
            (self.path / name).parent.mkdir(parents=True, exist_ok=True)
            (self.path / name).write_text(text)
        self.git("add", "-A")
        self.git("commit", "--quiet", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def push(self, *refspec: str) -> str:
        return self.git("push", "--quiet", "origin", *(refspec or ("HEAD:refs/heads/main",)))


@pytest.fixture
def repository(codebuild, tmp_path) -> WorkingCopy:
    from click.testing import CliRunner

    from sagestack.cli import main

    result = CliRunner().invoke(main, ["local", "repo", "create", "churn", "--url", URL])
    assert result.exit_code == 0, result.output
    work = tmp_path / "work"
    work.mkdir()
    return WorkingCopy(work, result.output.strip())


def builds_of(codebuild: Any, project: str = "churn-build") -> list[str]:
    return codebuild.list_builds_for_project(projectName=project)["ids"]
