"""DOWNLOAD_SOURCE: the build's checkout and its buildspec.

The local cloud can fetch only the repositories it serves (``sagestack local repo``), found by
the project's ``source.location``; any other location fails as CodeBuild fails a repository it
cannot reach: ``CLIENT_ERROR`` ``repository not found for primary source and source version
<version>``. The source version is a commit SHA, a ref, a branch or tag name, or ``pr/<n>``
(the pull request's head, as CodeBuild builds it); none means the default branch.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from sagestack.localcloud.repos import git
from sagestack.localcloud.repos.registry import repositories

GIT_SOURCES = (
    "GITHUB",
    "GITHUB_ENTERPRISE",
    "BITBUCKET",
    "GITLAB",
    "GITLAB_SELF_MANAGED",
    "CODECOMMIT",
)
DEFAULT_BUILDSPEC = "buildspec.yml"


class SourceError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


def checkout(source: dict, source_version: str | None, src_dir: Path) -> str | None:
    """Check the source out into ``src_dir``; returns the commit (None without a source)."""
    src_dir.mkdir(parents=True, exist_ok=True)
    kind = source.get("type", "NO_SOURCE")
    if kind == "NO_SOURCE":
        return None
    version = source_version or "HEAD"
    repository = (
        repositories().find_by_url(source.get("location", "")) if kind in GIT_SOURCES else None
    )
    if repository is None:
        raise SourceError(
            "CLIENT_ERROR",
            f"repository not found for primary source and source version {version}",
        )
    commit = git.resolve(repository.path, _revision(version))
    if commit is None:
        raise SourceError(
            "CLIENT_ERROR",
            f"reference not found for primary source and source version {version}",
        )
    _run("git", "clone", "--quiet", "--no-checkout", "--shared", str(repository.path), str(src_dir))
    _run("git", "-C", str(src_dir), "checkout", "--quiet", "--detach", commit)
    return commit


def _revision(version: str) -> str:
    if version.startswith("pr/"):
        return f"refs/pull/{version[3:]}/head"
    return version


def buildspec_text(source: dict, src_dir: Path) -> tuple[str, str]:
    """(the buildspec's YAML, where it was read from): inline, or a file of the checkout."""
    declared = source.get("buildspec") or ""
    if "\n" in declared or declared.lstrip().startswith("version"):
        return declared, "/codebuild/readonly/buildspec.yml"
    path = src_dir / (declared or DEFAULT_BUILDSPEC)
    try:
        return path.read_text(), str(path)
    except FileNotFoundError:
        raise SourceError("YAML_FILE_ERROR", f"stat {path}: no such file or directory") from None


def _run(*argv: str) -> None:
    done = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
    )
    if done.returncode != 0:
        raise SourceError("CLIENT_ERROR", f"{' '.join(argv[:3])}: {done.stderr.strip()}")
