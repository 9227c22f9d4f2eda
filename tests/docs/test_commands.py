"""Every command in README.md, CHANGELOG.md and docs/ works as written.

Each document's shell blocks run in order, as a reader would type them in one terminal (the
working folder carries over from block to block), in a copy of this checkout where they may write
files, with its environment active and a local cloud's exports set (``sagestack local up`` prints
them). Blocks that say ``# needs the dev stack`` run on a local cloud holding the dev stack as the
applier deploys it; blocks that need what this machine lacks say so and are not run
(:mod:`markdown_blocks` lists the reasons it accepts).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from markdown_blocks import DEV_STACK, NOT_RUN, REPO, Block, blocks, documents

from sagestack.clients import AwsClients
from sagestack.deploy import deploy, stack_config
from sagestack.deploy.progress import Progress
from sagestack.localcloud.durability import snapshot
from sagestack.localcloud.testing.fixtures import ENDPOINT_ENV, Endpoint
from sagestack.scenarios.drift import publish_drift_from_window, write_baseline
from sagestack.scenarios.project import find_project
from sagestack.scenarios.samples import request_window, training_sample

# one worker deploys the dev stack once for every document; the e2e tests hold the other
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("docs")]

REGION = "us-east-1"
LOCAL_DEPLOY_STATE = ".sagestack"  # `sagestack local deploy`'s default --state-dir
BLOCK_TIMEOUT = 300  # seconds; a block that hangs fails instead of holding the suite
IDENTITY = {"name": "Docs Reader", "email": "reader@example.com"}


def _all_blocks() -> list[Block]:
    return [block for path in documents() for block in blocks(path)]


def _runnable_documents() -> list[Path]:
    return [path for path in documents() if any(b.runs for b in blocks(path))]


def test_every_code_block_says_its_language():
    unlabelled = [block.where for block in _all_blocks() if not block.language]
    assert unlabelled == [], "label each fence (```sh, ```text, ...) so commands are found"


def test_every_shell_block_is_run_or_says_what_it_needs_from_the_known_list():
    unknown = [
        f"{block.where}: '# needs {block.need}'"
        for block in _all_blocks()
        if block.is_shell and block.need not in (None, DEV_STACK, *NOT_RUN)
    ]
    assert unknown == [], f"known needs: {DEV_STACK!r} (run), {NOT_RUN} (not run)"


def test_the_documents_have_commands_to_run():
    # a parser that found nothing would make the test below pass vacuously
    names = {path.relative_to(REPO).as_posix() for path in _runnable_documents()}
    assert {"README.md", "docs/quickstart.md", "docs/operations.md"} <= names


@dataclass(frozen=True)
class DevStack:
    """The local cloud's state holding the dev stack as deployed, after two drift-monitor runs."""

    saved: list[bytes]  # the local cloud's backends
    deploy_state: Path  # what `sagestack local deploy --stack dev` recorded, for the next one
    reports: list[str]  # the runs' report URIs, oldest window first

    def restore(self, checkout: Path) -> None:
        """Into the (reset) local cloud, as if ``checkout`` had deployed it."""
        snapshot.restore_backends(self.saved)
        shutil.copytree(self.deploy_state, checkout / LOCAL_DEPLOY_STATE)


@pytest.fixture(scope="session")
def dev_stack(local_cloud: Endpoint, tmp_path_factory) -> DevStack:
    """The dev stack deployed once and two windows of churn measured (three hours apart), the
    local cloud's state saved right after; each document that needs it starts from a copy."""
    if not local_cloud.is_sagestack:
        pytest.skip("the docs' commands run on sagestack's local cloud (its reset and saved state)")
    local_cloud.reset()
    folder = tmp_path_factory.mktemp("docs-dev-stack")
    config = stack_config("dev", REPO)
    deploy("dev", config, endpoint=local_cloud.url, state_dir=folder / "deploy", progress=_quiet())
    project = find_project(AwsClients(local_cloud.url, region=REGION), "dev", "churn")
    features = project.drift_features
    write_baseline(project, training_sample(features))
    now = datetime.now(UTC)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENDPOINT_ENV, local_cloud.url)  # the drift engine makes its own clients
        runs = [
            publish_drift_from_window(project, request_window(features, features[0]), now - ago)
            for ago in (timedelta(hours=3), timedelta(0))
        ]
    saved, _skipped = snapshot.dump_backends()
    return DevStack(saved, folder / "deploy", [run.report_uri for run in runs])


def _quiet() -> Progress:
    return Progress(io.StringIO())


def _copy_checkout(destination: Path) -> Path:
    """The checkout's files as they are now (tracked or new, not ignored), committed in a fresh
    repository (``cruft create "$PWD"`` reads the template from git), with its environment."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():  # a file deleted in the working tree is still listed as cached
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    (destination / ".venv").symlink_to(REPO / ".venv", target_is_directory=True)
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "docs"]):
        subprocess.run(["git", *command], cwd=destination, env=_git_env(), check=True)
    return destination


def _git_env() -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "GIT_AUTHOR_NAME": IDENTITY["name"],
        "GIT_AUTHOR_EMAIL": IDENTITY["email"],
        "GIT_COMMITTER_NAME": IDENTITY["name"],
        "GIT_COMMITTER_EMAIL": IDENTITY["email"],
    }


def _reader_env(checkout: Path, home: Path, cloud: Endpoint) -> dict[str, str]:
    """A reader's terminal: the environment activated, the local cloud's exports, nothing of the
    test process (no AWS profile, no session token) and no package index to reach."""
    venv = checkout / ".venv"
    return {
        **_git_env(),
        "HOME": str(home),
        "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
        "VIRTUAL_ENV": str(venv),
        "LANG": "C.UTF-8",
        "AWS_ENDPOINT_URL": cloud.url,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_EC2_METADATA_DISABLED": "true",
        "PIP_NO_INDEX": "1",
        "UV_OFFLINE": "1",
        "SAGEMAKER_TELEMETRY_OPT_OUT": "true",
    }


def _run(block: Block, workdir: Path, env: dict[str, str], cwd_file: Path) -> str:
    """Run ``block`` where the previous one left off; returns what it printed."""
    script = "\n".join(
        [
            "set -e -o pipefail",
            f'cd "$(cat {cwd_file})"',
            f"trap 'pwd > {cwd_file}' EXIT",
            block.text,
        ]
    )
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT,
    )
    assert done.returncode == 0, (
        f"{block.where} failed ({done.returncode}):\n{block.text}\n--- stdout\n{done.stdout}"
        f"\n--- stderr\n{done.stderr}"
    )
    return done.stdout


@dataclass(frozen=True)
class Reader:
    """A reader at a terminal: a copy of the checkout, an environment, a working folder."""

    checkout: Path
    env: dict[str, str]
    cwd_file: Path

    def run(self, block: Block) -> str:
        return _run(block, self.checkout, self.env, self.cwd_file)


@pytest.fixture
def reader(local_cloud, tmp_path) -> Reader:
    local_cloud.reset()
    checkout = _copy_checkout(tmp_path / "sagestack")
    (tmp_path / "home").mkdir()
    cwd_file = tmp_path / "cwd"
    cwd_file.write_text(str(checkout))
    return Reader(checkout, _reader_env(checkout, tmp_path / "home", local_cloud), cwd_file)


@pytest.mark.parametrize(
    "document", _runnable_documents(), ids=lambda p: p.relative_to(REPO).as_posix()
)
def test_the_documents_commands_run_as_written(document, reader, request):
    runnable = [block for block in blocks(document) if block.runs]
    if any(block.need == DEV_STACK for block in runnable):
        request.getfixturevalue("dev_stack").restore(reader.checkout)

    for block in runnable:
        reader.run(block)


def test_the_drift_runbook_finds_the_newest_report(reader, dev_stack):
    [block] = [b for b in blocks(REPO / "docs/runbooks/drift.md") if "--recursive" in b.text]
    dev_stack.restore(reader.checkout)

    printed = reader.run(block)

    bucket, older, newest = _bucket_and_keys(dev_stack.reports)
    listed_last = printed.strip().splitlines()[0].split()[-1]  # the `... | tail -n 1` line
    assert listed_last == newest != older
    s3 = AwsClients(reader.env["AWS_ENDPOINT_URL"], region=REGION).client("s3")
    copied = reader.checkout / "drift_report.html"  # the block copies it into the cwd
    assert copied.read_bytes() == s3.get_object(Bucket=bucket, Key=newest)["Body"].read()


def _bucket_and_keys(uris: list[str]) -> tuple[str, str, str]:
    (bucket, older), (_, newest) = (uri.removeprefix("s3://").split("/", 1) for uri in uris)
    return bucket, older, newest
