"""A data scientist's first day: a project generated from the template with cruft, answered as the
stack's config describes it, committed and pushed to the repository the platform watches."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sagestack.clients import local_repos_request

TEMPLATE_DIRECTORY = "templates/sagemaker-project"
# who commits in the demo's repository (git refuses to commit without a name)
AUTHOR = {
    "GIT_AUTHOR_NAME": "Ada Lovelace",
    "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "Ada Lovelace",
    "GIT_COMMITTER_EMAIL": "ada@example.com",
}


class GitError(RuntimeError):
    """A git command failed; the message carries its output."""


def answers_for(stack: str, project: Mapping[str, Any]) -> dict[str, Any]:
    """The template's answers for ``project``, an entry of ``stack``'s ``projects``: what the
    stack already says about it (name, repository, instances, metric, drift, retraining)."""
    instances = project.get("instances") or {}
    registration = project.get("registration") or {}
    drift = project.get("drift") or {}
    answers: dict[str, Any] = {
        "project_name": project["name"],
        "repository_url": project["repository"]["url"],
        "stack_name": stack,
        "auto_retrain": bool(project.get("autoRetrain", False)),
        "data_source": "sample",
    }
    optional = {
        "processing_instance_type": instances.get("processing"),
        "training_instance_type": instances.get("training"),
        "endpoint_instance_type": instances.get("endpoint"),
        "metric": registration.get("metric"),
        "metric_threshold": registration.get("threshold"),
        "drift_features": ",".join(drift.get("features") or []) or None,
    }
    answers.update({key: str(value) for key, value in optional.items() if value is not None})
    return answers


def generate(checkout: Path, answers: Mapping[str, Any], output_dir: Path) -> Path:
    """``cruft create`` of the template in the sagestack ``checkout`` (its committed HEAD, as
    cruft reads templates from git) into ``output_dir``; returns the project's folder."""
    from cruft import create

    # the template's hook prints the project's stack config entry, which the stack already has
    with _quiet_stdout():
        folder = create(
            str(checkout),
            output_dir=output_dir,
            directory=TEMPLATE_DIRECTORY,
            extra_context=dict(answers),
            no_input=True,
        )
    return Path(folder)


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Standard output (the file descriptor, which the hook's process inherits) discarded."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def create_repository(endpoint: str, name: str, url: str) -> str:
    """``sagestack local repo create NAME --url URL``: the local cloud's repository standing in
    for ``url``; returns its remote."""
    return local_repos_request(endpoint, "", {"name": name, "url": url})["remote"]


def commit_all(project: Path, message: str) -> str:
    """Commit everything in ``project`` (a repository on ``main`` is made first); the commit."""
    if not (project / ".git").exists():
        git(project, "init", "--quiet", "--initial-branch=main")
    git(project, "add", "-A")
    git(project, "commit", "--quiet", "-m", message)
    return git(project, "rev-parse", "HEAD").strip()


@dataclass(frozen=True)
class Push:
    commit: str
    output: str  # what git printed, the remote's lines included


def push(project: Path, remote: str, branch: str = "main") -> Push:
    """``git push`` of ``branch`` to ``remote`` (added as ``origin`` the first time)."""
    remotes = git(project, "remote").split()
    if "origin" not in remotes:
        git(project, "remote", "add", "origin", remote)
    output = git(project, "push", "--quiet", "origin", branch)
    return Push(git(project, "rev-parse", branch).strip(), output)


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **AUTHOR},
    )
    if done.returncode:
        raise GitError(f"git {' '.join(args)} in {folder} failed: {done.stderr.strip()}")
    return done.stdout + done.stderr
